"""Merchant order pages through the real URLs and templates."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from shop.models import Order
from shop.selectors.dashboard import dsr_chart
from shop.selectors.orders import store_dsr, store_dsr_trend
from shop.services.ratings import store_rating_create
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    completed_order,
    listed_sku,
    pay,
    place,
    ship,
    sign,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def sku(store):
    return listed_sku(store, stock=100)


def test_list_opens_on_orders_to_ship_most_urgent_first_with_countdowns(
        merchant_client, buyer, sku):
    unpaid = place(buyer, sku)
    later = pay(place(buyer, sku))
    sooner = pay(place(buyer, sku))
    Order.objects.filter(pk=sooner.pk).update(ship_by=later.ship_by - timedelta(hours=1))
    res = merchant_client.get("/seller/orders/")
    assert res.status_code == 200
    html = res.content.decode()
    assert html.index(sooner.number) < html.index(later.number)
    assert unpaid.number not in html  # awaiting payment: under "All orders"
    assert 'class="countdown' in html
    assert 'aria-current="page"' in html  # the nav highlights Orders
    html = merchant_client.get("/seller/orders/?view=all").content.decode()
    assert html.index(sooner.number) < html.index(later.number) < html.index(unpaid.number)
    # with nothing to ship, the list opens on all orders
    Order.objects.filter(status="paid").update(status="shipped")
    assert unpaid.number in merchant_client.get("/seller/orders/").content.decode()


def test_pages_follow_the_index_order_with_cursors_and_bounded_counts(
        merchant_client, buyer, sku, monkeypatch):
    orders = [place(buyer, sku) for _ in range(45)]
    newest_first = [o.number for o in reversed(orders)]
    seen, url = [], "/seller/orders/?view=all"
    for _ in range(3):
        page = merchant_client.get(url)
        html = page.content.decode()
        numbers = [n for n in newest_first if n in html]
        seen.extend(numbers)
        match = re.search(r'rel="next" href="\?([^"]+)"', html)
        if not match:
            break
        url = "/seller/orders/?" + match.group(1).replace("&amp;", "&")
    assert seen == newest_first  # every order once, in order, over 3 pages of 20
    back = re.search(r'rel="prev" href="\?([^"]+)"', html).group(1).replace("&amp;", "&")
    html = merchant_client.get("/seller/orders/?" + back).content.decode()
    assert [n for n in newest_first if n in html] == newest_first[20:40]
    # a cursor that does not parse is the first page, not an error
    html = merchant_client.get("/seller/orders/?view=all&after=x.d12a").content.decode()
    assert [n for n in newest_first if n in html] == newest_first[:20]
    monkeypatch.setattr("shop.views.orders.LIST_COUNT_CAP", 40)
    monkeypatch.setattr("shop.selectors.orders.LIST_COUNT_CAP", 40)
    html = merchant_client.get("/seller/orders/?view=all").content.decode()
    assert "40+" in html


def test_filters_and_search(merchant_client, buyer, sku):
    unpaid = place(buyer, sku)
    paid = pay(place(buyer, sku))
    html = merchant_client.get("/seller/orders/", {"status": "paid"}).content.decode()
    assert paid.number in html and unpaid.number not in html
    html = merchant_client.get("/seller/orders/", {"q": unpaid.number}).content.decode()
    assert unpaid.number in html and paid.number not in html
    html = merchant_client.get("/seller/orders/", {"date_from": "2000-01-01",
                                                   "date_to": "2000-01-01"}).content.decode()
    assert paid.number not in html and unpaid.number not in html
    assert merchant_client.get("/seller/orders/", {"page": "abc"}).status_code == 200


def test_a_filter_that_is_not_valid_says_why_next_to_its_field(merchant_client, buyer, sku):
    """An impossible date is not silently ignored: the field's error is shown, and the
    field's aria-describedby points at it (Django names it id_<field>_error)."""
    html = merchant_client.get("/seller/orders/", {"date_from": "2026-13-40"}).content.decode()
    assert 'aria-describedby="id_date_from_error"' in html
    assert re.search(r'<ul class="errorlist" id="id_date_from_error"><li>[^<]+</li>', html), html


def test_list_runs_a_fixed_number_of_queries(merchant_client, buyer, sku,
                                             django_assert_num_queries):
    # session, user, role groups, status counts, page count, page rows, the rows' lines
    # with their products, unread notifications
    for _ in range(3):
        pay(place(buyer, sku))
    with django_assert_num_queries(8):
        assert merchant_client.get("/seller/orders/").status_code == 200
    for _ in range(27):
        pay(place(buyer, sku))
    with django_assert_num_queries(8):
        res = merchant_client.get("/seller/orders/?status=paid")
    assert res.content.decode().count("<tr data-order=") == 20  # a full page


def test_other_merchants_orders_are_404(other_merchant_client, merchant_client, buyer, sku):
    order = pay(place(buyer, sku))
    assert other_merchant_client.get(f"/seller/orders/{order.number}/").status_code == 404
    res = other_merchant_client.post(f"/seller/orders/{order.number}/ship/",
                                     {"courier": "SF", "waybill_number": "SF1234567890"})
    assert res.status_code == 404
    assert order.number not in other_merchant_client.get("/seller/orders/").content.decode()
    order.refresh_from_db()
    assert order.status == "paid"
    assert merchant_client.get(f"/seller/orders/{order.number}/").status_code == 200


def test_pages_need_a_merchant(buyer_client, client):
    assert buyer_client.get("/seller/orders/").status_code == 403
    res = client.get("/seller/orders/")
    assert res.status_code == 302 and "/seller/login/" in res["Location"]


def test_detail_shows_lines_payments_tracking_and_timeline(merchant_client, buyer, sku):
    order = sign(ship(pay(place(buyer, sku, quantity=2, invoice_title="某某公司"))))
    html = merchant_client.get(f"/seller/orders/{order.number}/").content.decode()
    assert sku.product.title in html
    assert order.payments.get().provider_ref in html
    assert order.waybill_number in html
    assert html.count('<li><span class="when">') >= 5  # tracking + timeline rows
    assert "某某公司" in html


def test_ship_form(merchant_client, buyer, sku):
    order = pay(place(buyer, sku))
    res = merchant_client.post(f"/seller/orders/{order.number}/ship/",
                               {"courier": "YTO", "waybill_number": "YT1234567890"}, follow=True)
    assert res.status_code == 200
    order.refresh_from_db()
    assert (order.status, order.courier, order.waybill_number) == ("shipped", "YTO",
                                                                   "YT1234567890")


def test_ship_form_for_unpaid_order_shows_the_error(merchant_client, buyer, sku):
    order = place(buyer, sku)
    res = merchant_client.post(f"/seller/orders/{order.number}/ship/",
                               {"courier": "SF", "waybill_number": "SF1234567890"}, follow=True,
                               HTTP_ACCEPT_LANGUAGE="en")
    assert 'class="msg msg-error"' in res.content.decode()
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_bulk_ship_upload_shows_a_report(merchant_client, buyer, sku):
    good = pay(place(buyer, sku))
    bad = place(buyer, sku)
    data = (f"order_number,courier,waybill_number\n{good.number},SF,SF0000000001\n"
            f"{bad.number},SF,SF0000000002\n").encode()
    res = merchant_client.post("/seller/orders/bulk-ship/",
                               {"file": SimpleUploadedFile("ship.csv", data, "text/csv")})
    assert res.status_code == 200
    html = res.content.decode()
    assert html.count("badge-ok") == 1 and html.count("badge-bad") == 1
    assert Order.objects.get(pk=good.pk).status == "shipped"
    assert Order.objects.get(pk=bad.pk).status == "pending_payment"
    res = merchant_client.post("/seller/orders/bulk-ship/",
                               {"file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n", "text/csv")})
    assert res.status_code == 200 and 'class="errorlist' in res.content.decode()
    assert merchant_client.get("/seller/orders/bulk-ship/").status_code == 200


def test_dsr_include_renders(buyer, store, sku):
    order = completed_order(buyer, sku)
    store_rating_create(order=order, actor=buyer, description=5, service=4, logistics=3)
    trend = store_dsr_trend(store)
    html = render_to_string("seller/orders/_dsr.html", {
        "dsr": store_dsr(store), "dsr_trend": trend, "dsr_chart": dsr_chart(trend)})
    assert "5.00" in html and "4.00" in html and "3.00" in html
    assert 'data-chart="dsr"' in html and html.count("<circle") == 3  # one week, three dots
