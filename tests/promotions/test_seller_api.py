"""The merchant ERP API of marketing: the store's campaign sign-ups and paid promotion
orders, listed newest first in keyset pages and read one by one with their timeline;
another store's are not found, and the endpoints are for merchants with a token."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from promotions.services import ads as ad_services
from tests.promotions.ad_factories import fund, submit
from tests.promotions.campaign_factories import (
    eligible_store,
    make_campaign,
    product_with_skus,
    sign_up,
)
from tests.promotions.live_factories import video
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
ENTRIES = "/api/seller/promotions/campaign-entries/"
ORDERS = "/api/seller/promotions/promotion-orders/"


def _token_client(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def store(merchant):
    return eligible_store(merchant)


def test_campaign_entries_list_and_detail(store, merchant, other_merchant, reviewer):
    campaign = make_campaign(reviewer)
    entries = [sign_up(campaign, store, *product_with_skus(store)) for _ in range(3)]
    api = _token_client(merchant)
    first = api.get(ENTRIES, {"page_size": 2})
    assert first.status_code == 200
    body = first.json()
    assert [row["id"] for row in body["results"]] == [entries[2].pk, entries[1].pk]
    assert body["results"][0]["campaign_name"] == campaign.name
    assert len(body["results"][0]["items"]) == 2
    rest = api.get(body["next"]).json()
    assert [row["id"] for row in rest["results"]] == [entries[0].pk] and rest["next"] is None
    detail = api.get(f"{ENTRIES}{entries[0].pk}/").json()
    assert detail["status"] == "pending" and detail["events"][0]["to_status"] == "pending"
    # another merchant: an empty list, and the sign-up is not found
    other = _token_client(other_merchant)
    assert other.get(ENTRIES).json()["results"] == []
    assert other.get(f"{ENTRIES}{entries[0].pk}/").status_code == 404


@pytest.mark.parametrize("size", ["0", "abc", "101", "-1", "２"])
def test_keyset_lists_refuse_a_bad_page_size(merchant, size):
    api = _token_client(merchant)
    response = api.get(ENTRIES, {"page_size": size})
    assert response.status_code == 400
    assert "page_size" in response.json()


def test_promotion_orders_list_and_detail(store, merchant, other_merchant, reviewer):
    fund(store, "500.00", reviewer)
    clip = video(store, product_with_skus(store)[0])
    older = submit(store, clip, budget="100.00")
    newer = submit(store, clip, budget="120.00")
    ad_services.promotion_order_approve(order=newer, actor=reviewer)
    api = _token_client(merchant)
    rows = api.get(ORDERS).json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0]["status"] == "running" and rows[0]["budget"] == "120.00"
    detail = api.get(f"{ORDERS}{newer.pk}/").json()
    assert [e["to_status"] for e in detail["events"]] == ["pending", "running"]
    other = _token_client(other_merchant)
    assert other.get(ORDERS).json()["results"] == []
    assert other.get(f"{ORDERS}{older.pk}/").status_code == 404


def test_the_endpoints_are_for_merchants(buyer):
    assert APIClient().get(ORDERS).status_code in (401, 403)
    api = _token_client(buyer)
    assert api.get(ORDERS).status_code == 403
    assert api.get(ENTRIES).status_code == 403
