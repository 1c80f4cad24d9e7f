"""axe-core over the merchant centre and the public pages, at desktop (1280 px) and phone
(390 px) width: any WCAG 2.1 A/AA violation fails (issue 15, "Accessible to everyone").
Signed in as the demo's merchant_a for the seller pages, anonymous for the public and
login pages. The support workbench and the review back office have their own file."""

import pytest

from tests.e2e.axe import AXE_MISSING, axe_source, axe_violations, describe
from tests.e2e.test_pages_in_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    browser,
    demo,
)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.skipif(axe_source() is None, reason=AXE_MISSING),
    pytest.mark.django_db(transaction=True),
]

WIDTHS = (1280, 390)

SELLER_PAGES = [
    "/seller/", "/seller/products/", "{product}", "/seller/orders/", "/seller/orders/?view=all",
    "{order}", "/seller/deposit/", "/seller/deposit/?whatif-sales=600000", "/seller/account/",
    "/seller/after-sales/", "/seller/compliance/", "/seller/notifications/", "/seller/invoices/",
    "/seller/promotions/flash-sales/", "/seller/promotions/coupons/",
    "/seller/promotions/campaigns/", "/seller/promotions/ads/", "/seller/promotions/videos/",
    "/seller/promotions/selection/",
]
PUBLIC_PAGES = ["/", "/seller/login/", "/seller/signup/", "{store}", "{public_product}"]


def _urls(pages):
    from shop.models import Order, Product, Store

    store = Store.objects.get(merchant__username="merchant_a")
    product = Product.objects.filter(store=store).order_by("pk").first()
    listed = Product.objects.filter(store=store, status="listed").order_by("pk").first()
    order = Order.objects.filter(store=store).order_by("pk").first()
    values = {
        "product": f"/seller/products/{product.pk}/",
        "order": f"/seller/orders/{order.number}/",
        "store": f"/s/{store.slug}/",
        "public_product": f"/s/{store.slug}/p/{listed.pk}/",
    }
    return [values[p[1:-1]] if p.startswith("{") else p for p in pages]


def _audit(page, base, urls, width):
    found = []
    for url in urls:
        response = page.goto(base + url)
        assert response.status == 200, url
        assert "/login/" not in page.url or url.endswith("/login/"), url
        for summary in page.locator("details summary").all():
            summary.click()  # the table fallbacks of the charts are audited too
        violations = axe_violations(page)
        if violations:
            found.append(f"{url} @ {width}px:\n{describe(violations)}")
    return found


def _login(page, base, settings):
    page.goto(base + "/seller/login/")
    page.fill("#id_username", "merchant_a")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login/" not in page.url, "the demo login failed"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_seller_pages_have_no_axe_violations(live_server, browser, demo, settings,  # noqa: F811
                                            language):
    urls = _urls(SELLER_PAGES)
    found = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                              "url": live_server.url}])
        page = context.new_page()
        _login(page, live_server.url, settings)
        found += _audit(page, live_server.url, urls, width)
        context.close()
    assert not found, "\n\n".join(found)


def test_public_and_login_pages_have_no_axe_violations(live_server, browser, demo):  # noqa: F811
    urls = _urls(PUBLIC_PAGES)
    found = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900})
        found += _audit(context.new_page(), live_server.url, urls, width)
        context.close()
    assert not found, "\n\n".join(found)
