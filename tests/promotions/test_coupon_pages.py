"""Merchant coupon pages through the real URLs and templates: list (paginated, filtered,
fixed query count), create with messages next to the fields, copy, quantity, stop with a
confirmation, live-room drop only while live; another merchant's coupons are 404s."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from promotions.models import Coupon, LiveSession
from promotions.services.coupons import coupon_claim
from promotions.services.live import live_session_start
from tests.promotions.coupon_factories import make_coupon
from tests.shop.order_factories import listed_sku, store_for

pytestmark = pytest.mark.django_db
BASE = "/seller/promotions/coupons/"


@pytest.fixture
def store(merchant):
    return store_for(merchant)


def local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(**changes):
    now = timezone.now()
    data = {
        "title": "满50减5", "kind": "threshold", "amount": "5", "threshold": "50",
        "scope": "store", "quantity": "100", "per_buyer_limit": "1",
        "claim_starts_at": local(now - timedelta(hours=1)),
        "claim_ends_at": local(now + timedelta(days=3)),
        "validity": "after_claim", "valid_days": "7", "channel": "store_page",
    }
    data.update(changes)
    return data


def test_the_list_is_paginated_filtered_and_mine_only(merchant_client, store, other_merchant,
                                                       django_assert_num_queries):
    for i in range(22):
        make_coupon(store, title=f"券{i:02d}")
    make_coupon(store, title="直播券", channel="live_drop")
    make_coupon(store_for(other_merchant), title="别人的券")
    page = merchant_client.get(BASE).content.decode()
    assert "直播券" in page and "券21" in page and "别人的券" not in page
    assert "券02" not in page  # on page 2
    assert "券02" in merchant_client.get(BASE + "?page=2").content.decode()
    live_only = merchant_client.get(BASE + "?channel=live_drop").content.decode()
    assert "直播券" in live_only and "券21" not in live_only
    assert "券07" in merchant_client.get(BASE + "?q=券07").content.decode()
    merchant_client.get(BASE)  # warm the session and caches
    with django_assert_num_queries(8) as first:  # 7 + the header's unread notifications
        merchant_client.get(BASE)
    for i in range(20):
        make_coupon(store, title=f"更多{i}")
    with django_assert_num_queries(len(first.captured_queries)):
        merchant_client.get(BASE + "?page=2")
    assert 'href="/seller/promotions/coupons/"' in page  # the navigation link


def test_create_shows_errors_next_to_the_fields(merchant_client, store):
    merchant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = merchant_client.post(BASE + "new/", form_data(amount="50"))
    assert response.status_code == 200 and not Coupon.objects.exists()
    html = response.content.decode()
    row = re.search(r'has-error">\s*<label for="id_threshold".*?</ul>', html, re.S).group(0)
    assert "errorlist" in row and "more than the discount" in row
    response = merchant_client.post(BASE + "new/", form_data(scope="products"))
    assert re.search(r'has-error">\s*<label for="id_products"', response.content.decode())
    response = merchant_client.post(BASE + "new/", form_data())
    coupon = Coupon.objects.get()
    assert response.status_code == 302 and response.url == f"{BASE}{coupon.pk}/"
    assert (coupon.amount, coupon.threshold, coupon.valid_days) == (5, 50, 7)
    detail = merchant_client.get(response.url).content.decode()
    assert "满50减5" in detail and "0 / 100" in detail


def test_copy_to_other_products(merchant_client, store):
    a, b = listed_sku(store).product, listed_sku(store).product
    source = make_coupon(store, scope="products", product_ids=[a.pk])
    page = merchant_client.get(f"{BASE}{source.pk}/copy/").content.decode()
    assert re.search(rf'<option value="{a.pk}" selected>', page)
    response = merchant_client.post(f"{BASE}{source.pk}/copy/",
                                    form_data(scope="products", products=[b.pk]))
    copy = Coupon.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302 and copy.copied_from == source
    assert list(copy.products.all()) == [b]


def test_quantity_never_below_claimed(merchant_client, store, buyer, other_buyer):
    merchant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    coupon = make_coupon(store, quantity=5)
    coupon_claim(coupon=coupon, actor=buyer)
    coupon_claim(coupon=coupon, actor=other_buyer)
    response = merchant_client.post(f"{BASE}{coupon.pk}/quantity/", {"quantity": "1"},
                                    follow=True)
    assert "(2)" in response.content.decode()
    assert Coupon.objects.get(pk=coupon.pk).quantity == 5
    merchant_client.post(f"{BASE}{coupon.pk}/quantity/", {"quantity": "2"})
    assert Coupon.objects.get(pk=coupon.pk).quantity == 2


def test_stopping_needs_the_confirmation(merchant_client, store):
    coupon = make_coupon(store)
    page = merchant_client.get(f"{BASE}{coupon.pk}/stop/").content.decode()
    assert 'name="confirm" value="yes"' in page
    merchant_client.post(f"{BASE}{coupon.pk}/stop/")
    assert Coupon.objects.get(pk=coupon.pk).status == "active"
    merchant_client.post(f"{BASE}{coupon.pk}/stop/", {"confirm": "yes"})
    assert Coupon.objects.get(pk=coupon.pk).status == "stopped"


def test_dropping_in_the_live_room_only_while_live(merchant_client, store):
    coupon = make_coupon(store, channel="live_drop")
    detail = merchant_client.get(f"{BASE}{coupon.pk}/").content.decode()
    assert f"{BASE}{coupon.pk}/drop/" not in detail
    merchant_client.post(f"{BASE}{coupon.pk}/drop/")
    assert Coupon.objects.get(pk=coupon.pk).live_session is None
    merchant_client.post("/seller/promotions/live/start/", {"title": "今晚上新"})
    session = LiveSession.objects.get(store=store, status="live")
    assert f"{BASE}{coupon.pk}/drop/" in merchant_client.get(f"{BASE}{coupon.pk}/").content.decode()
    merchant_client.post(f"{BASE}{coupon.pk}/drop/")
    assert Coupon.objects.get(pk=coupon.pk).live_session == session
    merchant_client.post(f"/seller/promotions/live/{session.pk}/end/")
    assert LiveSession.objects.get(pk=session.pk).status == "live"  # no confirmation
    merchant_client.post(f"/seller/promotions/live/{session.pk}/end/", {"confirm": "yes"})
    assert LiveSession.objects.get(pk=session.pk).status == "ended"
    assert "今晚上新" in merchant_client.get("/seller/promotions/live/").content.decode()


def test_another_merchant_sees_and_touches_nothing(other_merchant_client, other_merchant,
                                                   store):
    store_for(other_merchant)
    coupon = make_coupon(store, channel="live_drop", title="甲的券")
    session = live_session_start(store=store, actor=store.merchant, title="甲的直播")
    for url in (f"{BASE}{coupon.pk}/", f"{BASE}{coupon.pk}/copy/",
                f"{BASE}{coupon.pk}/stop/"):
        assert other_merchant_client.get(url).status_code == 404
    for url, data in ((f"{BASE}{coupon.pk}/quantity/", {"quantity": "3"}),
                      (f"{BASE}{coupon.pk}/stop/", {"confirm": "yes"}),
                      (f"{BASE}{coupon.pk}/drop/", {}),
                      (f"{BASE}{coupon.pk}/copy/", form_data()),
                      (f"/seller/promotions/live/{session.pk}/end/", {"confirm": "yes"})):
        assert other_merchant_client.post(url, data).status_code == 404
    assert "甲的券" not in other_merchant_client.get(BASE).content.decode()
    assert "甲的直播" not in other_merchant_client.get("/seller/promotions/live/").content.decode()
    coupon.refresh_from_db()
    assert (coupon.status, coupon.quantity, coupon.live_session) == ("active", 100, None)
    assert Coupon.objects.count() == 1
    assert LiveSession.objects.get(pk=session.pk).status == "live"


def test_only_merchants_enter(buyer_client, client, store):
    coupon = make_coupon(store)
    assert buyer_client.get(BASE).status_code == 403
    assert buyer_client.get(f"{BASE}{coupon.pk}/").status_code == 403
    assert client.get(BASE).status_code == 302


def test_reviewers_see_coupons_claims_and_sessions_read_only(reviewer_client, store, buyer):
    coupon = make_coupon(store)
    claim = coupon_claim(coupon=coupon, actor=buyer)
    session = live_session_start(store=store, actor=store.merchant)
    for url in (f"/admin/promotions/coupon/{coupon.pk}/change/",
                f"/admin/promotions/couponclaim/{claim.pk}/change/",
                f"/admin/promotions/livesession/{session.pk}/change/"):
        page = reviewer_client.get(url)
        assert page.status_code == 200, url
        assert 'name="_save"' not in page.content.decode()
