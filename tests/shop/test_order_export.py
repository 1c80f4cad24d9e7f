"""Exporting the merchant's filtered order list (CSV, XLSX) and the file of rows a bulk
shipping upload could not ship."""

import csv
import io
import re
import tracemalloc
import zipfile
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.models import Order, OrderLine
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    ship,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def sku(store):
    return listed_sku(store, stock=1000, title="云南小粒咖啡豆")


def _content(res) -> bytes:
    return b"".join(res.streaming_content) if res.streaming else res.content


def _csv(res) -> list[list[str]]:
    raw = _content(res)
    assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 BOM to read Chinese text"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_export_has_the_fulfilment_columns_and_follows_the_filters(
        merchant_client, buyer, sku):
    paid = pay(place(buyer, sku, 2))
    shipped = ship(pay(place(buyer, sku)))
    unpaid = place(buyer, sku)
    res = merchant_client.get("/seller/orders/export.csv", {"view": "all"})
    assert res.status_code == 200
    assert res.streaming
    assert res["Content-Type"].startswith("text/csv")
    assert "attachment" in res["Content-Disposition"]
    rows = _csv(res)
    header, body = rows[0], rows[1:]
    assert len(header) == 16
    assert [r[0] for r in body] == [unpaid.number, shipped.number, paid.number]  # newest first
    row = dict(zip(header, next(r for r in body if r[0] == paid.number), strict=True))
    values = list(row.values())
    assert "云南小粒咖啡豆" in values[4] and values[4].endswith("× 2")
    assert values[3] == "t*******a"  # the buyer, masked as on the list
    assert values[3] != buyer.username
    assert values[8] == str(paid.paid_amount)
    assert values[10] == "王老铁" and values[11] == "13800138000"
    assert values[12] == "北京市 北京市 海淀区 上地十街10号"
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", values[1])
    shipped_row = next(r for r in body if r[0] == shipped.number)
    assert shipped.waybill_number in shipped_row
    # the list's own filters: a status, and a search for one number
    rows = _csv(merchant_client.get("/seller/orders/export.csv", {"status": "shipped"}))
    assert [r[0] for r in rows[1:]] == [shipped.number]
    rows = _csv(merchant_client.get("/seller/orders/export.csv",
                                    {"view": "all", "q": paid.number}))
    assert [r[0] for r in rows[1:]] == [paid.number]
    # "to ship": the paid orders, by their clock
    rows = _csv(merchant_client.get("/seller/orders/export.csv", {"view": "to_ship"}))
    assert [r[0] for r in rows[1:]] == [paid.number]
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    rows = _csv(merchant_client.get("/seller/orders/export.csv",
                                    {"view": "all", "date_from": tomorrow}))
    assert rows[1:] == []


def test_the_list_links_its_exports_with_the_current_filters(merchant_client, buyer, sku):
    pay(place(buyer, sku))
    html = merchant_client.get("/seller/orders/", {"status": "paid", "q": "X1"}).content.decode()
    links = re.findall(r'href="(/seller/orders/export\.(?:csv|xlsx)\?[^"]*)"', html)
    assert len(links) == 2
    for link in links:
        assert "status=paid" in link and "q=X1" in link and "view=all" in link
    html = merchant_client.get("/seller/orders/").content.decode()
    assert "t*******a" in html and "t_buyer_a" not in html  # masked as in the export


def test_export_lists_only_the_merchants_own_orders(merchant_client, other_merchant_client,
                                                    other_merchant, buyer, sku):
    own = pay(place(buyer, sku))
    theirs = pay(place(buyer, listed_sku(store_for(other_merchant))))
    numbers = [r[0] for r in _csv(merchant_client.get("/seller/orders/export.csv",
                                                      {"view": "all"}))[1:]]
    assert numbers == [own.number]
    numbers = [r[0] for r in _csv(other_merchant_client.get("/seller/orders/export.csv",
                                                            {"view": "all"}))[1:]]
    assert numbers == [theirs.number]


def test_export_needs_a_merchant(buyer_client, client, merchant_client):
    assert buyer_client.get("/seller/orders/export.csv").status_code == 403
    assert client.get("/seller/orders/export.csv").status_code == 302  # to the login
    assert merchant_client.get("/seller/orders/export.pdf").status_code == 404


def test_cells_that_would_start_a_formula_are_neutralised(merchant_client, buyer, sku):
    order = pay(place(buyer, sku))
    address = {**order.address, "name": "=HYPERLINK(\"http://x\")", "detail": "+1 路"}
    Order.objects.filter(pk=order.pk).update(address=address, buyer_note="@SUM(A1)")
    OrderLine.objects.filter(order=order).update(title="-2+3")
    row = _csv(merchant_client.get("/seller/orders/export.csv", {"view": "all"}))[1]
    assert row[10] == "'=HYPERLINK(\"http://x\")"
    assert row[15] == "'@SUM(A1)"
    assert row[4].startswith("'-2+3")
    assert row[12].endswith("+1 路")  # not at the start of the cell: left as it is
    sheet = _xlsx_sheet(merchant_client.get("/seller/orders/export.xlsx", {"view": "all"}))
    assert "'=HYPERLINK" in sheet and "<f>" not in sheet  # text, never a formula


def _xlsx_sheet(res) -> str:
    assert res.status_code == 200
    assert res["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    with zipfile.ZipFile(io.BytesIO(_content(res))) as book:
        return book.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_xlsx_export_has_a_row_per_order_with_numbers_as_numbers(merchant_client, buyer, sku):
    orders = [pay(place(buyer, sku)) for _ in range(3)]
    sheet = _xlsx_sheet(merchant_client.get("/seller/orders/export.xlsx", {"view": "all"}))
    assert sheet.count("<row ") == 1 + 3
    for order in orders:
        assert order.number in sheet  # constant-memory mode writes inline strings
    assert "云南小粒咖啡豆" in sheet
    # the amount paid (column I) is a number cell, not text
    assert re.search(r'<c r="I2"(?: s="\d+")?><v>99(?:\.0+)?</v></c>', sheet)


def test_export_runs_a_fixed_number_of_queries_whatever_the_rows(merchant_client, buyer, sku):
    def queries(n_orders):
        while Order.objects.count() < n_orders:
            pay(place(buyer, sku))
        with CaptureQueriesContext(connection) as captured:
            res = merchant_client.get("/seller/orders/export.csv", {"view": "all"})
            assert len(_csv(res)) == 1 + n_orders
        return len(captured)

    assert queries(2) == queries(12)


# --- 100,000 rows --------------------------------------------------------------------------
def _bulk_orders(store, buyer, sku, n: int) -> None:
    """n paid orders of one line each, written by the database itself (a recursive CTE
    numbers them): seconds, where the services would take an hour."""
    order_table = Order._meta.db_table
    line_table = OrderLine._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %s)
            INSERT INTO {order_table} (created_at, updated_at, number, buyer_id, store_id,
                status, goods_amount, shipping_fee, discount_amount, total_amount, paid_amount,
                refunded_amount, promotion, address, invoice_title, invoice_tax_number,
                paid_at, shipped_late, pickup_late, courier, waybill_number, tracking_status,
                signed_by, signed_in_locker, buyer_note)
            SELECT %s, %s, 'BULK' || n, %s, %s, 'paid', 99, 0, 0, 99, 99, 0, '{{}}',
                %s, '', '', %s, %s, %s, '', '', '', '', %s, '请尽快发货'
            FROM seq""",  # noqa: S608 (table names from the models)
            [n, now, now, buyer.pk, store.pk,
             '{"name": "王老铁", "phone": "13800138000", "province": "浙江省", '
             '"city": "杭州市", "district": "西湖区", "detail": "文三路 1 号"}',
             now, False, False, False])
        cursor.execute(
            f"""INSERT INTO {line_table} (order_id, sku_id, product_id, title, attributes,
                unit_price, quantity, amount, paid_amount, refunded_amount, discount_amount,
                stock_held_by, promotion, gifts, supports_seven_day_return)
            SELECT id, %s, %s, %s, '{{}}', 99, 1, 99, 99, 0, 0, '', '{{}}', '', %s
            FROM {order_table} WHERE store_id = %s""",  # noqa: S608
            [sku.pk, sku.product_id, "云南小粒咖啡豆 500g", True, store.pk])


def test_an_export_of_100000_orders_streams_in_bounded_memory(merchant_client, store, buyer,
                                                              sku):
    rows = 100_000
    _bulk_orders(store, buyer, sku, rows)
    res = merchant_client.get("/seller/orders/export.csv", {"view": "all"})
    assert res.status_code == 200 and res.streaming
    lines = 0
    tracemalloc.start()
    try:
        for chunk in res.streaming_content:
            lines += chunk.count(b"\n")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert lines == 1 + rows
    # The rows are read in chunks and written as they come: a few MB whatever the count
    # (holding them all would take hundreds).
    assert peak < 50 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"


# --- bulk shipping: the file of rows not shipped -----------------------------------------
def test_bulk_ship_offers_the_rows_not_shipped_as_a_file(merchant_client,
                                                         other_merchant_client, buyer, sku):
    good = pay(place(buyer, sku))
    unpaid = place(buyer, sku)
    data = ("order_number,courier,waybill_number,note\n"
            f"{good.number},SF,SF0000000001,一楼\n"
            f"{unpaid.number},SF,SF0000000002,二楼\n"
            "NOPE,SF,SF0000000003,=1+1\n").encode()
    res = merchant_client.post("/seller/orders/bulk-ship/",
                               {"file": SimpleUploadedFile("ship.csv", data, "text/csv")})
    assert res.status_code == 200
    assert "/seller/orders/bulk-ship/errors.csv" in res.content.decode()
    res = merchant_client.get("/seller/orders/bulk-ship/errors.csv")
    assert res.status_code == 200 and res["Content-Type"].startswith("text/csv")
    assert "attachment" in res["Content-Disposition"]
    rows = _csv(res)
    assert rows[0] == ["order_number", "courier", "waybill_number", "note", "error"]
    assert [r[:4] for r in rows[1:]] == [[unpaid.number, "SF", "SF0000000002", "二楼"],
                                         ["NOPE", "SF", "SF0000000003", "'=1+1"]]
    assert all(r[4] for r in rows[1:])  # each with its reason
    # another merchant has no such file; the merchant's own is gone once all rows ship
    assert other_merchant_client.get("/seller/orders/bulk-ship/errors.csv").status_code == 404
    fixed = f"order_number,courier,waybill_number\n{good.number},SF,SF0000000001\n".encode()
    Order.objects.filter(pk=good.pk).update(status="paid", waybill_number="", courier="")
    merchant_client.post("/seller/orders/bulk-ship/",
                         {"file": SimpleUploadedFile("ship.csv", fixed, "text/csv")})
    assert merchant_client.get("/seller/orders/bulk-ship/errors.csv").status_code == 404
