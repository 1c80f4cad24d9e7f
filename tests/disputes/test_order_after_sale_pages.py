"""The merchant's order pages show open after-sale requests, and shipping an order with an
open refund-only request asks for confirmation first; couriers show by name."""

import re

import pytest
from django.utils import translation

from shop.models import Order
from shop.rules.orders import COURIERS
from tests.disputes.aftersale_factories import open_request, paid_order, signed_order

pytestmark = pytest.mark.django_db


def test_order_detail_shows_the_open_request_with_a_link(merchant_client, buyer, sku):
    request = open_request(signed_order(buyer, sku), kind="return_refund")
    html = merchant_client.get(f"/seller/orders/{request.order.number}/").content.decode()
    assert f'href="/seller/after-sales/{request.pk}/"' in html
    assert str(request.get_status_display()) in html


def test_order_list_shows_a_badge_per_open_request_without_a_query_per_row(
    merchant_client, buyer, sku, django_assert_num_queries
):
    requests = [open_request(signed_order(buyer, sku), kind="return_refund") for _ in range(2)]
    # session, user, role groups, store ids, status counts, page rows, unread notifications
    # (8: the order list reads the page's lines and their products in one query)
    with django_assert_num_queries(8):
        html = merchant_client.get("/seller/orders/").content.decode()
    for request in requests:
        assert f'href="/seller/after-sales/{request.pk}/"' in html
    for _ in range(5):
        open_request(signed_order(buyer, sku), kind="return_refund")
        paid_order(buyer, sku)
    with django_assert_num_queries(8):
        html = merchant_client.get("/seller/orders/?view=all").content.decode()
    assert html.count("data-after-sale=") == 7


def _ship(client, order, **extra):
    return client.post(f"/seller/orders/{order.number}/ship/",
                       {"courier": "SF", "waybill_number": f"SF{order.pk:010d}", **extra})


def test_shipping_with_an_open_refund_only_request_asks_to_confirm_first(
    merchant_client, buyer, sku
):
    order = paid_order(buyer, sku)
    request = open_request(order, kind="refund_only", reason="no_reason")
    response = _ship(merchant_client, order)
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-ship-warning" in html and 'name="confirm"' in html
    assert f'href="/seller/after-sales/{request.pk}/"' in html
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    response = _ship(merchant_client, order, confirm="1")
    assert response.status_code == 302
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED


def test_shipping_without_an_open_request_needs_no_confirmation(merchant_client, buyer, sku):
    order = paid_order(buyer, sku)
    assert _ship(merchant_client, order).status_code == 302
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED


def test_couriers_show_by_name_not_by_code(merchant_client, buyer, sku):
    order = signed_order(buyer, sku)  # shipped with "SF"
    with translation.override("zh-hans"):
        label = str(COURIERS["SF"])
    for url in ("/seller/orders/", f"/seller/orders/{order.number}/"):
        html = merchant_client.get(url).content.decode()
        assert f"{label} {order.waybill_number}" in html
        assert not re.search(rf">\s*SF {order.waybill_number}", html)


def _bulk(client, orders, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = "".join(f"{o.number},SF,SF{o.pk:010d}\n" for o in orders)
    upload = SimpleUploadedFile("ship.csv", ("order_number,courier,waybill_number\n" + rows)
                                .encode(), content_type="text/csv")
    return client.post("/seller/orders/bulk-ship/", {"file": upload, **extra})


def test_bulk_shipping_warns_per_row_and_holds_refund_only_orders_until_confirmed(
    merchant_client, buyer, sku
):
    from disputes.selectors import shipping_warning

    held = paid_order(buyer, sku)
    open_request(held, kind="refund_only", reason="no_reason")
    plain = paid_order(buyer, sku)
    response = _bulk(merchant_client, [held, plain])
    assert response.status_code == 200
    results = {r.order_number: r for r in response.context["results"]}
    assert results[plain.number].ok and not results[plain.number].warning
    assert not results[held.number].ok
    assert results[held.number].warning == shipping_warning()
    html = response.content.decode()
    assert html.count("data-ship-warning") == 1 and 'name="confirm_refund_only"' in html
    assert Order.objects.get(pk=held.pk).status == Order.Status.PAID
    assert Order.objects.get(pk=plain.pk).status == Order.Status.SHIPPED
    response = _bulk(merchant_client, [held], confirm_refund_only="on")
    row = response.context["results"][0]
    assert row.ok and row.warning
    assert Order.objects.get(pk=held.pk).status == Order.Status.SHIPPED
