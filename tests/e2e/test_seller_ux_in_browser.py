"""The merchant centre in a real browser: the order list as cards on a phone (status and
clock visible, nothing scrolls sideways), the export of a filtered list downloaded, the
confirmation dialog (keyboard, and the plain submit without JavaScript), and screenshots
of the dashboard, order list and deposit page (UX_SCREENSHOTS=<folder> keeps them, e.g.
docs/screenshots; otherwise they go to a temporary folder and are only checked)."""

import csv
import io
import os
from pathlib import Path

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

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _login(page, base, settings, username="merchant_a"):
    page.goto(base + "/seller/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", settings.DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "/login/" not in page.url


def test_order_list_is_cards_on_a_phone(live_server, browser, demo, settings):  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _login(page, live_server.url, settings)
    page.goto(live_server.url + "/seller/orders/?view=to_ship")
    rows = page.locator("tr[data-order]")
    assert rows.count() > 0  # the demo store has paid orders to ship
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], width
    box = page.locator(".table-wrap").first
    assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth", box.element_handle())
    for i in range(min(rows.count(), 5)):
        row = rows.nth(i)
        for part in (".cell-status .badge", ".cell-clock .countdown", ".cell-lines"):
            element = row.locator(part).first
            assert element.is_visible(), (i, part)
            b = element.bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"], (i, part, b)
        assert row.locator(".cell-clock .countdown").inner_text().strip() not in ("", "—")
    # a card, not a table row: the header row is hidden and each cell is labelled
    assert not page.locator("table.order-list thead").is_visible() or \
        page.locator("table.order-list thead").bounding_box()["height"] <= 1
    context.close()


def test_filtered_order_list_exports_in_the_browser(live_server, browser, demo,  # noqa: F811
                                                    settings):
    from shop.models import Order

    expected = set(Order.objects.filter(store__merchant__username="merchant_a",
                                        status=Order.Status.PAID).values_list("number", flat=True))
    assert expected
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    _login(page, live_server.url, settings)
    page.goto(live_server.url + "/seller/orders/?view=all")
    page.select_option("#id_status", "paid")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "status=paid" in page.url
    with page.expect_download() as info:
        page.click('a[data-export="csv"]')
    download = info.value
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    numbers = {row[0].strip().lstrip("'\t") for row in rows[1:] if row}
    assert numbers == expected
    assert download.suggested_filename.endswith(".csv")
    context.close()


def test_a_filtered_export_of_100000_orders_downloads_in_bounded_memory(
        live_server, browser, demo, settings):  # noqa: F811
    """The same click on a store with 100,000 paid orders: every row arrives, and the
    server's memory (traced while the browser downloads) stays a few MB."""
    import tracemalloc

    from shop.models import Order, Sku, Store
    from tests.shop.test_order_export import _bulk_orders

    store = Store.objects.get(merchant__username="merchant_a")
    sku = Sku.objects.filter(product__store=store).order_by("pk").first()
    buyer = Order.objects.filter(store=store).order_by("pk").first().buyer
    _bulk_orders(store, buyer, sku, 100_000)
    expected = Order.objects.filter(store=store, status=Order.Status.PAID).count()
    assert expected >= 100_000
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    _login(page, live_server.url, settings)
    page.goto(live_server.url + "/seller/orders/?view=all&status=paid")
    tracemalloc.start()
    try:
        with page.expect_download(timeout=600_000) as info:
            page.click('a[data-export="csv"]')
        path = info.value.path()  # waits for the whole file
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = sum(1 for row in csv.reader(handle) if row)
    assert rows == 1 + expected
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"
    context.close()


def test_delisting_asks_in_a_dialog_first(live_server, browser, demo, settings):  # noqa: F811
    from shop.models import Product

    product = Product.objects.filter(store__merchant__username="merchant_a",
                                     status=Product.Status.LISTED).order_by("pk").first()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _login(page, live_server.url, settings)
    url = f"{live_server.url}/seller/products/{product.pk}/"
    page.goto(url)
    delist = page.locator(f'form[action$="/products/{product.pk}/delist/"] button')
    delist.click()
    dialog = page.locator("dialog.confirm-dialog")
    assert dialog.is_visible()
    assert product.title in dialog.inner_text()
    # the safe choice has the focus; Escape closes without submitting
    assert page.evaluate("document.activeElement.hasAttribute('data-confirm-cancel')")
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.url == url
    product.refresh_from_db()
    assert product.status == Product.Status.LISTED
    # Cancel by keyboard: focus comes back to the button
    delist.click()
    page.keyboard.press("Enter")
    assert not dialog.is_visible()
    product.refresh_from_db()
    assert product.status == Product.Status.LISTED
    # confirm with the keyboard: Shift+Tab from Cancel to Confirm, Enter
    delist.focus()
    page.keyboard.press("Enter")
    assert dialog.is_visible()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.hasAttribute('data-confirm-ok')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    product.refresh_from_db()
    assert product.status == Product.Status.DELISTED
    context.close()


def test_without_javascript_the_form_submits_directly(live_server, browser, demo,  # noqa: F811
                                                      settings):
    from shop.models import Product

    product = Product.objects.filter(store__merchant__username="merchant_a",
                                     status=Product.Status.LISTED).order_by("pk").first()
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    _login(page, live_server.url, settings)
    page.goto(f"{live_server.url}/seller/products/{product.pk}/")
    with page.expect_navigation():
        page.click(f'form[action$="/products/{product.pk}/delist/"] button')
    product.refresh_from_db()
    assert product.status == Product.Status.DELISTED


SHOTS = {"dashboard": "/seller/", "orders": "/seller/orders/", "deposit": "/seller/deposit/"}


def test_screenshots_of_the_main_pages(live_server, browser, demo, settings,  # noqa: F811
                                       tmp_path):
    folder = Path(os.environ.get("UX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    for language, suffix in (("zh-hans", "zh"), ("en", "en")):
        for viewport in (DESKTOP, PHONE):
            context = browser.new_context(viewport=viewport)
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language,
                                  "url": live_server.url}])
            page = context.new_page()
            _login(page, live_server.url, settings)
            for name, url in SHOTS.items():
                page.goto(live_server.url + url)
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                assert width[0] <= width[1], (name, viewport, width)
                path = folder / f"{name}-{suffix}-{viewport['width']}.png"
                page.screenshot(path=str(path), full_page=True)
                assert path.stat().st_size > 10_000, path
            context.close()
