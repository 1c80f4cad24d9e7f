"""Notifications in a real browser: merchant_a's demo rejection shows in the header's
unread count, opens the product from the inbox, and is then read."""

import os

import pytest

from tests.e2e.test_dashboard_in_browser import _login
from tests.e2e.test_pages_in_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    browser,
    demo,
)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]


def test_a_rejected_product_appears_and_opens_from_the_inbox(live_server, browser, demo,  # noqa: F811
                                                             settings):
    from shop.models import Product

    page = browser.new_page()
    _login(page, live_server, settings)
    page.goto(live_server.url + "/seller/")
    assert page.locator(".notification-bell [data-unread]").get_attribute("data-unread") == "1"
    with page.expect_navigation():
        page.click(".notification-bell")
    assert page.url == live_server.url + "/seller/notifications/"
    unread = page.locator(".notification.unread")
    assert unread.count() == 1 and "买一送三" in unread.inner_text()
    if os.environ.get("SCREENSHOTS_DIR"):
        page.screenshot(path=os.path.join(os.environ["SCREENSHOTS_DIR"], "notifications.png"),
                        full_page=True)
    with page.expect_navigation():
        unread.locator("button[name=open]").click()
    product = Product.objects.get(title__contains="买一送三")
    assert page.url == live_server.url + f"/seller/products/{product.pk}/"
    page.goto(live_server.url + "/seller/notifications/")
    assert page.locator(".notification.unread").count() == 0
    assert page.locator(".notification-bell [data-unread]").count() == 0
