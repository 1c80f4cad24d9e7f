"""The merchant's dashboard in a real browser: each to-do tile opens its filtered list, and
on a phone nothing makes the page scroll sideways."""

import pytest

from tests.e2e.test_pages_in_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    browser,
    demo,
)

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

LANDING = {
    "to_ship": "/seller/orders/?view=to_ship",
    "after_sales": "/seller/after-sales/?status=merchant",
    "escalated": "/seller/after-sales/?status=escalated",
    "rejected": "/seller/products/?status=rejected",
}


def _login(page, live_server, settings):
    page.goto(live_server.url + "/seller/login/")
    page.fill("#id_username", "merchant_a")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_tiles_open_their_filtered_lists(live_server, browser, demo, settings):  # noqa: F811
    page = browser.new_page()
    _login(page, live_server, settings)
    page.goto(live_server.url + "/seller/")
    keys = page.eval_on_selector_all("[data-tile]", "els => els.map(e => e.dataset.tile)")
    assert "to_ship" in keys  # the demo store has paid orders waiting
    for key in keys:
        page.goto(live_server.url + "/seller/")
        with page.expect_navigation():
            page.click(f'[data-tile="{key}"]')
        if key in LANDING:
            assert page.url == live_server.url + LANDING[key], key
        assert page.locator("h1").first.is_visible(), key


def test_dashboard_fits_a_phone(live_server, browser, demo, settings):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    _login(page, live_server, settings)
    page.goto(live_server.url + "/seller/")
    for summary in page.locator("details summary").all():
        summary.click()
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    assert page.locator('svg[data-chart="bars"]').bounding_box()["width"] <= 390
    context.close()
