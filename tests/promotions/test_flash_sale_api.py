"""Buyer API of flash sales: running and upcoming sales, one sale with the buyer's own
count, and buying at the flash price through the normal order endpoint."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promotions.services.flash_sales import flash_sale_cancel
from promotions.sweeps import end_due_flash_sales, start_due_flash_sales
from tests.promotions.flash_factories import START, make_sale, product_with_skus, store_for
from tests.shop.order_factories import ADDRESS, _fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/api/buyer/flash-sales/"


@pytest.fixture
def sales(merchant, other_merchant):
    store, other = store_for(merchant), store_for(other_merchant)
    p1, s1 = product_with_skus(store)
    p2, s2 = product_with_skus(other)
    p3, s3 = product_with_skus(store)
    p4, s4 = product_with_skus(store)
    running = make_sale(store, p1, s1, stock=5, limit=2)
    upcoming = make_sale(other, p2, s2, starts_at=START + timedelta(hours=2))
    ended = make_sale(store, p3, s3, duration=timedelta(minutes=10))
    cancelled = make_sale(store, p4, s4, starts_at=START + timedelta(hours=3))
    flash_sale_cancel(sale=cancelled, actor=merchant, now=START - timedelta(minutes=1))
    start_due_flash_sales(START)
    end_due_flash_sales(START + timedelta(minutes=10))
    return {"running": running, "upcoming": upcoming, "ended": ended, "cancelled": cancelled,
            "skus": s1}


@time_machine.travel(START + timedelta(minutes=15), tick=False)
def test_buyers_see_running_then_upcoming_sales(sales, buyer_api):
    body = buyer_api.get(URL).json()
    assert [row["id"] for row in body["results"]] == [sales["running"].pk, sales["upcoming"].pk]
    assert body["results"][0]["status"] == "running"
    assert body["results"][0]["items"][0]["remaining"] == 5
    assert body["results"][0]["items"][0]["flash_price"] == "90.00"
    upcoming = buyer_api.get(URL, {"status": "scheduled"}).json()["results"]
    assert [row["id"] for row in upcoming] == [sales["upcoming"].pk]
    assert buyer_api.get(URL, {"status": "nope"}).status_code == 400


@time_machine.travel(START + timedelta(minutes=15), tick=False)
def test_the_list_is_paginated_with_a_fixed_number_of_queries(sales, buyer_api, merchant):
    buyer_api.get(URL)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as few:
        buyer_api.get(URL)
    store = sales["running"].store
    for hours in range(4, 10):
        product, skus = product_with_skus(store)
        make_sale(store, product, skus, starts_at=START + timedelta(hours=hours),
                  now=START + timedelta(minutes=15))
    with CaptureQueriesContext(connection) as many:
        body = buyer_api.get(URL, {"page_size": 5}).json()
    assert len(many) == len(few)
    assert body["count"] == 8 and len(body["results"]) == 5 and body["next"]


@time_machine.travel(START + timedelta(minutes=15), tick=False)
def test_buying_through_the_order_endpoint_at_the_flash_price(sales, buyer_api, other_buyer):
    sku = sales["skus"][0]
    order = buyer_api.post("/api/buyer/orders/", {
        "items": [{"sku": sku.pk, "quantity": 2}], "address": ADDRESS}, format="json")
    assert order.status_code == 201, order.content
    assert order.json()["lines"][0]["unit_price"] == "90.00"
    detail = buyer_api.get(f"{URL}{sales['running'].pk}/").json()
    assert detail["bought"] == 2 and detail["items"][0]["remaining"] == 3
    refused = buyer_api.post("/api/buyer/orders/", {
        "items": [{"sku": sku.pk, "quantity": 1}], "address": ADDRESS}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "flash_sale_limit"
    # another buyer sees only their own count
    from rest_framework.test import APIClient

    other = APIClient()
    other.force_authenticate(other_buyer)
    assert other.get(f"{URL}{sales['running'].pk}/").json()["bought"] == 0


@time_machine.travel(START + timedelta(minutes=15), tick=False)
def test_detail_of_a_cancelled_sale_is_404_and_the_api_is_for_buyers(sales, buyer_api,
                                                                      merchant_api):
    assert buyer_api.get(f"{URL}{sales['cancelled'].pk}/").status_code == 404
    assert buyer_api.get(f"{URL}{sales['ended'].pk}/").json()["status"] == "ended"
    assert buyer_api.get(f"{URL}999999/").status_code == 404
    assert merchant_api.get(URL).status_code == 403
