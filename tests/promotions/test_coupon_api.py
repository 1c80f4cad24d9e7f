"""Buyer API for coupons: what can be claimed, claiming, my coupons (paginated, mine only),
and the coupon chosen when placing an order."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from promotions.models import CouponClaim
from promotions.services.coupons import coupon_claim, coupon_drop, coupon_stop
from promotions.services.live import live_session_start
from tests.promotions.coupon_factories import make_coupon
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def other_buyer_api(other_buyer):
    client = APIClient()
    client.force_authenticate(other_buyer)
    return client


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_claimable_coupons_by_channel(buyer_api, store, other_merchant, make_user):
    sku = listed_sku(store)
    page = make_coupon(store)
    product_page = make_coupon(store, channel="product_page", scope="products",
                               product_ids=[sku.product_id])
    whole_store_on_products = make_coupon(store, channel="product_page")
    live = make_coupon(store, channel="live_drop")
    stopped = make_coupon(store)
    coupon_stop(coupon=stopped, actor=store.merchant)
    make_coupon(store, quantity=1, per_buyer_limit=1, title="已领完")
    sold_out = store.coupons.get(title="已领完")
    make_coupon(store_for(other_merchant))  # another store's
    coupon_claim(coupon=sold_out, actor=make_user("someone", "buyer"))
    url = f"/api/buyer/coupons/?store={store.slug}"
    assert ids(buyer_api.get(url)) == [page.pk]
    live_session_start(store=store, actor=store.merchant)
    coupon_drop(coupon=live, actor=store.merchant)
    assert ids(buyer_api.get(url)) == [live.pk, page.pk]
    assert ids(buyer_api.get(f"{url}&product={sku.product_id}")) == [
        whole_store_on_products.pk, product_page.pk]
    other_product = listed_sku(store).product_id
    assert ids(buyer_api.get(f"{url}&product={other_product}")) == [
        whole_store_on_products.pk]
    row = buyer_api.get(f"{url}&product={sku.product_id}").json()["results"][1]
    assert row["product_ids"] == [sku.product_id] and row["amount"] == "5.00"
    assert row["threshold"] == "50.00" and row["remaining"] == 100
    assert buyer_api.get("/api/buyer/coupons/?store=nope").status_code == 404
    assert buyer_api.get(f"{url}&product=999999").status_code == 404


def test_claim_and_list_my_coupons_paginated(buyer_api, other_buyer_api, store, buyer):
    coupons = [make_coupon(store) for _ in range(3)]
    for coupon in coupons:
        response = buyer_api.post(f"/api/buyer/coupons/{coupon.pk}/claim/")
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "unused"
        assert response.json()["coupon"]["id"] == coupon.pk
    again = buyer_api.post(f"/api/buyer/coupons/{coupons[0].pk}/claim/")
    assert again.status_code == 400 and again.json()["code"] == "limit_reached"
    assert buyer_api.post("/api/buyer/coupons/999999/claim/").status_code == 404
    mine = buyer_api.get("/api/buyer/coupons/mine/?page_size=2").json()
    assert mine["count"] == 3 and len(mine["results"]) == 2 and mine["next"]
    assert [r["coupon"]["id"] for r in mine["results"]] == [coupons[2].pk, coupons[1].pk]
    assert ids(other_buyer_api.get("/api/buyer/coupons/mine/")) == []
    assert ids(buyer_api.get("/api/buyer/coupons/mine/?status=used")) == []
    assert buyer_api.get("/api/buyer/coupons/mine/?status=bogus").status_code == 400


def test_a_live_room_coupon_is_claimed_only_while_live(buyer_api, store):
    coupon = make_coupon(store, channel="live_drop")
    response = buyer_api.post(f"/api/buyer/coupons/{coupon.pk}/claim/")
    assert response.status_code == 400 and response.json()["code"] == "not_live"
    live_session_start(store=store, actor=store.merchant)
    coupon_drop(coupon=coupon, actor=store.merchant)
    assert buyer_api.post(f"/api/buyer/coupons/{coupon.pk}/claim/").status_code == 201


def test_only_buyers_use_the_coupon_api(merchant_api, client, store):
    coupon = make_coupon(store)
    assert merchant_api.post(f"/api/buyer/coupons/{coupon.pk}/claim/").status_code == 403
    assert merchant_api.get("/api/buyer/coupons/mine/").status_code == 403
    assert client.get("/api/buyer/coupons/mine/").status_code in (401, 403)


def test_placing_an_order_with_a_chosen_coupon(buyer_api, other_buyer_api, store, buyer,
                                               other_buyer):
    sku = listed_sku(store, price="60.00")
    small = coupon_claim(coupon=make_coupon(store, kind="no_threshold", amount="2.00",
                                            threshold=None), actor=buyer)
    coupon_claim(coupon=make_coupon(store), actor=buyer)
    theirs = coupon_claim(coupon=make_coupon(store), actor=other_buyer)
    body = {"items": [{"sku": sku.pk, "quantity": 1}], "address": ADDRESS}
    refused = buyer_api.post("/api/buyer/orders/", {**body, "coupon": theirs.pk},
                             format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "coupon_not_found"
    assert refused.json()["field"] == "coupon"
    chosen = buyer_api.post("/api/buyer/orders/", {**body, "coupon": small.pk}, format="json")
    assert chosen.status_code == 201, chosen.content
    assert Decimal(chosen.json()["discount_amount"]) == Decimal("2.00")
    best = buyer_api.post("/api/buyer/orders/", body, format="json")
    assert Decimal(best.json()["discount_amount"]) == Decimal("5.00")
    none = other_buyer_api.post("/api/buyer/orders/", {**body, "coupon": 0}, format="json")
    assert Decimal(none.json()["discount_amount"]) == 0
    assert CouponClaim.objects.get(pk=theirs.pk).status == "unused"
