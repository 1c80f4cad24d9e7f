"""The main pages in a real browser (headless Chromium): they render, and the strict
Content-Security-Policy blocks nothing on them (an inline style or script would show up
here and nowhere else). Needs Debian's chromium; skipped with the reason when absent."""

import os
import shutil

import pytest
from django.core.management import call_command

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]

AREAS = {
    "merchant_a": ("/seller/login/", [
        "/seller/", "/seller/store/", "/seller/products/", "/seller/products/new/",
        "/seller/orders/", "/seller/orders/bulk-ship/", "/seller/after-sales/", "/seller/compliance/", "/seller/deposit/",
        "/seller/account/", "/seller/closure/", "/seller/promotions/flash-sales/",
        "/seller/promotions/flash-sales/new/", "/seller/promotions/coupons/",
        "/seller/academy/",
    ]),
    "agent": ("/support/login/", ["/support/"]),
    "reviewer": ("/admin/login/", [
        "/admin/", "/admin/shop/merchantapplication/", "/admin/compliance/productreview/",
        "/admin/shop/storeprofilechange/", "/admin/shop/categoryinvitation/",
        "/admin/shop/categoryinvitation/add/",
    ]),
}


CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


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


@pytest.mark.parametrize("username", list(AREAS))
def test_pages_render_without_csp_violations(live_server, browser, demo, settings, username):
    login_url, urls = AREAS[username]
    context = browser.new_context()
    page = context.new_page()
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # Chromium does not always log CSP refusals to the console; the page's own violation
    # events do fire, so record them (init scripts run outside the page's CSP).
    page.add_init_script(CSP_RECORDER)
    page.goto(live_server.url + login_url)
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit], #login-form input[type=submit]")
    assert "/login/" not in page.url, "the demo login failed"
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert "/login/" not in page.url, url
        assert page.locator("h1").first.is_visible(), url
        problems.extend(f"{url}: {v}" for v in page.evaluate("window.__cspViolations"))
    context.close()
    assert problems == []


def test_public_store_page_in_chinese(live_server, browser, demo):
    page = browser.new_page()
    page.goto(live_server.url + "/seller/login/")
    assert page.locator("h1").inner_text() == "商家登录"


def test_store_profile_change_waits_for_review_in_the_browser(live_server, browser, demo,
                                                              settings):
    from shop.models import Store

    store = Store.objects.get(merchant__username="merchant_a")
    page = browser.new_page()
    page.goto(live_server.url + "/seller/login/")
    page.fill("#id_username", "merchant_a")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(live_server.url + "/seller/store/")
    page.fill("#id_introduction", "正品好货，加我vx 私聊下单更便宜")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator("#profile-change-pending").is_visible()
    page.goto(live_server.url + f"/s/{store.slug}/")
    assert "私聊下单" not in page.content()
    assert store.introduction in page.content()
