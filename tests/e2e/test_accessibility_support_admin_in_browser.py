"""axe-core over the support workbench and the admin review pages, at desktop (1280 px)
and phone (390 px) width: any WCAG 2.1 A/AA violation fails. Also the case page's photo
lightbox from the keyboard. Needs Debian's chromium and axe-core (see tests/e2e/axe.py);
skipped with the reason when either is absent.

Nothing is excluded from the audit."""

import io
import os
import shutil

import pytest
from django.core.management import call_command

from tests.e2e.axe import AXE_MISSING, axe_source, axe_violations, describe

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.skipif(axe_source() is None, reason=AXE_MISSING),
    pytest.mark.django_db(transaction=True),
]

LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses otherwise
    settings.PAYMENT_SANDBOX_ENABLED = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False


def _photo(name):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 80, 60)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def case(demo):
    """The demo's escalated case, with two photos in the thread."""
    from disputes import services
    from disputes.models import AfterSaleRequest

    case = AfterSaleRequest.objects.filter(status="escalated").order_by("pk").first()
    services.after_sale_message_post(request=case, actor=case.buyer, text="两张照片",
                                     files=[_photo("cuff.jpg"), _photo("label.jpg")])
    return case


def _login(browser, live_server, settings, username, login_url, *, width="desktop"):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + login_url)
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit], #login-form input[type=submit]")
    assert "/login/" not in page.url, "the demo login failed"
    return context, page


def _audit(page, live_server, urls, width, problems):
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        found = axe_violations(page)
        if found:
            problems.append(f"[{width}] {url}\n{describe(found)}")


def _review_urls():
    from compliance.models import ProductReview, Qualification
    from shop.models import MerchantApplication, StoreProfileChange

    urls = ["/admin/", "/admin/compliance/productreview/",
            "/admin/compliance/qualificationreview/", "/admin/shop/merchantapplication/",
            "/admin/shop/storeprofilechange/"]
    revision = ProductReview.objects.filter(status="in_review").order_by("pk").first()
    assert revision is not None, "the demo has a product in review"
    urls.append(f"/admin/compliance/productreview/{revision.pk}/change/")
    application = MerchantApplication.objects.order_by("-status", "pk").first()
    urls.append(f"/admin/shop/merchantapplication/{application.pk}/change/")
    qualification = Qualification.objects.order_by("pk").first()
    if qualification is not None:
        urls.append(f"/admin/compliance/qualification/{qualification.pk}/change/")
    change = StoreProfileChange.objects.order_by("pk").first()
    if change is not None:
        urls.append(f"/admin/shop/storeprofilechange/{change.pk}/change/")
    return urls


@pytest.mark.parametrize("width", list(WIDTHS))
def test_support_pages_have_no_axe_violations(live_server, browser, case, settings, width):
    context, page = _login(browser, live_server, settings, "agent", "/support/login/",
                           width=width)
    problems = []
    _audit(page, live_server, ["/support/", "/support/?assigned=me",
                               f"/support/cases/{case.pk}/"], width, problems)
    context.close()
    assert problems == [], "\n\n".join(problems)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_admin_review_pages_have_no_axe_violations(live_server, browser, demo, settings, width):
    context, page = _login(browser, live_server, settings, "reviewer", "/admin/login/",
                           width=width)
    problems = []
    _audit(page, live_server, _review_urls(), width, problems)
    context.close()
    assert problems == [], "\n\n".join(problems)


def test_case_photos_open_in_a_lightbox_closed_by_the_keyboard(live_server, browser, case,
                                                               settings):
    context, page = _login(browser, live_server, settings, "agent", "/support/login/")
    page.goto(live_server.url + f"/support/cases/{case.pk}/")
    photos = page.locator("a[data-lightbox]")
    assert photos.count() == 2
    photos.first.focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#support-lightbox")
    assert dialog.evaluate("d => d.open")
    assert "1/2" in page.locator("#support-lightbox-caption").inner_text()
    page.keyboard.press("ArrowRight")
    assert "2/2" in page.locator("#support-lightbox-caption").inner_text()
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    # Focus is back on the photo that opened it.
    assert page.evaluate("document.activeElement.hasAttribute('data-lightbox')")
    # The ruling panel stays in view while the facts scroll (desktop); stacked on a phone.
    assert page.locator(".support-side").evaluate("e => getComputedStyle(e).position") == "sticky"
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.locator(".support-side").evaluate("e => getComputedStyle(e).position") == "static"
    context.close()


def test_review_page_keyboard_shortcuts(live_server, browser, demo, settings):
    from compliance.models import ProductReview

    revision = ProductReview.objects.filter(status="in_review").order_by("submitted_at",
                                                                          "pk").first()
    context, page = _login(browser, live_server, settings, "reviewer", "/admin/login/")
    page.goto(live_server.url + f"/admin/compliance/productreview/{revision.pk}/change/")
    page.keyboard.press("a")
    assert page.evaluate("document.activeElement.id") == "review-approve"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    revision.refresh_from_db()
    assert revision.status == "approved"
    assert page.locator("#review-next").is_visible()
    with page.expect_navigation():
        page.keyboard.press("n")
    assert f"/{revision.pk}/" not in page.url
    context.close()


def test_case_and_review_pages_in_both_languages(live_server, browser, case, settings):
    """The support case page and the product review page in Chinese and English, desktop
    and phone: the page is in the language asked for, and on a phone nothing scrolls
    sideways. With SCREENSHOTS_DIR set, each is saved there (docs/screenshots/)."""
    from compliance.models import ProductReview

    shots = os.environ.get("SCREENSHOTS_DIR")
    revision = (ProductReview.objects.filter(status="in_review", has_hits=True)
                .order_by("submitted_at", "pk").first()
                or ProductReview.objects.filter(status="in_review").order_by("pk").first())
    pages = [("support-case", "agent", "/support/login/", f"/support/cases/{case.pk}/"),
             ("review-product", "reviewer", "/admin/login/",
              f"/admin/compliance/productreview/{revision.pk}/change/")]
    for name, username, login_url, url in pages:
        for width, (w, _h) in WIDTHS.items():
            context, page = _login(browser, live_server, settings, username, login_url,
                                   width=width)
            for language, heading_lang in (("zh-hans", "zh-hans"), ("en", "en")):
                context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME,
                                      "value": language, "url": live_server.url}])
                page.goto(live_server.url + url)
                assert page.evaluate("document.documentElement.lang") == heading_lang
                assert page.locator("h1").first.is_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= w, (name, width)
                if shots:
                    # The whole page in one window, so that the sticky column (as tall as
                    # the window at most) shows whole too.
                    page.set_viewport_size({"width": w, "height": page.evaluate(
                        "Math.max(document.documentElement.scrollHeight, "
                        "(document.querySelector('.support-side') || {scrollHeight: 0})"
                        ".scrollHeight + 120)")})
                    short = "zh" if language == "zh-hans" else "en"
                    page.screenshot(path=os.path.join(shots, f"{name}-{short}-{w}.png"),
                                    full_page=True)
                    page.set_viewport_size({"width": w, "height": _h})
            context.close()


def test_admin_sidebar_is_open_before_paint_and_the_filters_stay_on_screen(
        live_server, browser, demo, settings):
    """The sidebar's state is applied before the content is laid out (no shift after
    paint), and with the sidebar open the change list and its filters fit the 1280 px
    window: nothing scrolls sideways, the filter panel is inside the viewport."""
    context, page = _login(browser, live_server, settings, "reviewer", "/admin/login/")
    # before any deferred script has run, the content is already beside the open sidebar
    page.route("**/admin/js/nav_sidebar.js", lambda route: route.abort())
    page.goto(live_server.url + "/admin/shop/order/?status__exact=paid")
    assert page.locator("#main").evaluate("m => m.classList.contains('shifted')")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["desktop"][0]
    box = page.locator("#changelist-filter").bounding_box()
    assert box["x"] + box["width"] <= WIDTHS["desktop"][0], box
    # closed and reloaded: it stays closed, and the content takes the room
    page.unroute("**/admin/js/nav_sidebar.js")
    page.reload()
    page.click("#toggle-nav-sidebar")
    page.route("**/admin/js/nav_sidebar.js", lambda route: route.abort())
    page.reload()
    assert not page.locator("#main").evaluate("m => m.classList.contains('shifted')")
    context.close()
