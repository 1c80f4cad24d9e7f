"""The shopping cart (小黄车) of a live session: turned on by 本场直播我要卖货, an ordered
list of the store's listed own products with one presented (讲解中); viewers see it, the
streamer's own view does not; restrictions close it with the reason shown."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from common import roles
from common.errors import ApplicationError
from promotions.models import LiveCartItem, LiveSession
from promotions.rules.live import list_move, source_parse
from promotions.selectors import live as selectors
from promotions.services import live as services
from tests.factories import ProductFactory
from tests.promotions.live_factories import deposit_shortfall, selling_session
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def products(store):
    return [listed_sku(store, price=price).product for price in ("59.00", "79.00", "99.00")]


def room(api, session):
    response = api.get(reverse("buyer-live-session", args=[session.pk]))
    assert response.status_code == 200, response.content
    return response.json()


def cart_ids(session):
    return list(LiveCartItem.objects.filter(session=session).order_by("position", "pk")
                .values_list("product_id", flat=True))


# --- rules ------------------------------------------------------------------------------
@pytest.mark.parametrize(("ids", "item", "direction", "expected"), [
    ([1, 2, 3], 2, "up", [2, 1, 3]),
    ([1, 2, 3], 2, "down", [1, 3, 2]),
    ([1, 2, 3], 1, "up", [1, 2, 3]),
    ([1, 2, 3], 3, "down", [1, 2, 3]),
    ([1, 2, 3], 9, "up", [1, 2, 3]),
    ([1, 2, 3], 2, "sideways", [1, 2, 3]),
])
def test_moving_in_a_list(ids, item, direction, expected):
    assert list_move(ids, item, direction) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("live:12", ("live", 12)), ("video:3", ("video", 3)), ("live:0", None), ("live:", None),
    ("shop:1", None), ("live:1x", None), (" live:1", None), ("", None),
    ("live:" + "9" * 19, None),
])
def test_the_order_source_a_buyer_names(value, expected):
    assert source_parse(value) == expected


# --- viewers and the streamer -----------------------------------------------------------
def test_viewers_see_the_cart_in_order_with_the_product_presented(store, products, buyer_api):
    session = selling_session(store, *products)
    second = LiveCartItem.objects.get(session=session, product=products[1])
    services.live_cart_present(session=session, item_id=second.pk, actor=store.merchant)
    data = room(buyer_api, session)
    assert data["cart_open"] is True and data["cart_closed_reasons"] == []
    assert [row["product"] for row in data["cart"]] == [p.pk for p in products]
    assert [row["presenting"] for row in data["cart"]] == [False, True, False]
    assert data["presenting"] == products[1].pk
    assert data["cart"][0]["price_from"] == "59.00"
    assert data["session"]["source"] == f"live:{session.pk}"


def test_the_streamers_own_view_has_no_cart(store, products, merchant):
    session = selling_session(store, *products)
    assert selectors.live_room(session, merchant).cart is None
    # the streamer asking as a viewer still gets the streamer's view
    merchant.groups.add(Group.objects.get(name=roles.BUYER))
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(merchant)
    data = room(api, session)
    assert data["cart"] is None and data["cart_open"] is False


def test_the_live_room_page_of_the_streamer_does_not_show_the_cart(store, products,
                                                                  merchant_client):
    selling_session(store, *products)
    page = merchant_client.get(reverse("seller_promotions:live")).content.decode()
    assert all(p.title not in page for p in products)


def test_without_selling_turned_on_viewers_see_no_cart(store, products, buyer_api):
    session = selling_session(store, *products)
    services.live_cart_set_enabled(session=session, enabled=False, actor=store.merchant)
    data = room(buyer_api, session)
    assert data["cart_open"] is False and data["cart"] == []


def test_an_ended_session_shows_no_cart_and_cannot_be_edited(store, products, buyer_api):
    session = selling_session(store, *products)
    services.live_session_end(session=session, actor=store.merchant)
    assert room(buyer_api, session)["cart"] == []
    with pytest.raises(ApplicationError) as info:
        services.live_cart_add(session=session, product_id=products[0].pk,
                               actor=store.merchant)
    assert info.value.code == "not_live"


def test_a_delisted_product_leaves_the_viewers_cart(store, products, buyer_api):
    session = selling_session(store, *products)
    products[0].status = "delisted"
    products[0].save(update_fields=["status"])
    assert [row["product"] for row in room(buyer_api, session)["cart"]] == [
        products[1].pk, products[2].pk]


def test_viewers_list_only_sessions_on_air(store, products, buyer_api, other_merchant):
    on_air = selling_session(store, *products)
    ended = selling_session(store_for(other_merchant))
    services.live_session_end(session=ended, actor=other_merchant)
    ids = [row["id"] for row in buyer_api.get(reverse("buyer-live-sessions")).json()["results"]]
    assert ids == [on_air.pk]


def test_the_buyer_api_is_for_buyers(store, merchant_api, client):
    session = selling_session(store)
    assert merchant_api.get(reverse("buyer-live-session", args=[session.pk])).status_code == 403
    assert client.get(reverse("buyer-live-session", args=[session.pk])).status_code in (401, 403)


# --- the cart editor --------------------------------------------------------------------
def test_add_remove_reorder_and_present(store, products):
    session = selling_session(store, *products)
    items = {i.product_id: i for i in LiveCartItem.objects.filter(session=session)}
    a, b, c = (items[p.pk] for p in products)
    services.live_cart_move(session=session, item_id=c.pk, direction="up", actor=store.merchant)
    assert cart_ids(session) == [products[0].pk, products[2].pk, products[1].pk]
    services.live_cart_move(session=session, item_id=a.pk, direction="down",
                            actor=store.merchant)
    assert cart_ids(session) == [products[2].pk, products[0].pk, products[1].pk]
    services.live_cart_present(session=session, item_id=a.pk, actor=store.merchant)
    services.live_cart_present(session=session, item_id=b.pk, actor=store.merchant)
    assert list(LiveCartItem.objects.filter(session=session, presenting=True)
                .values_list("pk", flat=True)) == [b.pk]
    services.live_cart_present(session=session, item_id=None, actor=store.merchant)
    assert not LiveCartItem.objects.filter(session=session, presenting=True).exists()
    services.live_cart_remove(session=session, item_id=c.pk, actor=store.merchant)
    assert cart_ids(session) == [products[0].pk, products[1].pk]
    codes = [code.removeprefix("promotions.")
             for code in session.events.values_list("reason_code", flat=True)]
    assert codes[:3] == ["live_started", "live_cart_enabled", "live_cart_added"]
    assert {"live_cart_moved", "live_cart_presenting", "live_cart_presenting_none",
            "live_cart_removed"} <= set(codes)


@pytest.mark.parametrize("case", ["other_store", "draft", "other_platform", "twice"])
def test_only_the_stores_listed_own_products_once(store, products, other_merchant, case):
    session = selling_session(store, products[0])
    product = {
        "other_store": lambda: listed_sku(store_for(other_merchant)).product,
        "draft": lambda: ProductFactory(store=store, status="draft"),
        "other_platform": lambda: ProductFactory(
            store=store, kind="other_platform", platform="taobao",
            external_url="https://item.taobao.com/item.htm?id=1"),
        "twice": lambda: products[0],
    }[case]()
    with pytest.raises(ApplicationError) as info:
        services.live_cart_add(session=session, product_id=product.pk, actor=store.merchant)
    assert info.value.code == {"other_store": "product_not_found", "draft": "product_not_listed",
                               "other_platform": "product_not_listed",
                               "twice": "already_in_cart"}[case]
    assert cart_ids(session) == [products[0].pk]


def test_the_cart_size_is_configured(store, products):
    from common import config

    config.set_value("live.cart_max_products", 2)
    session = selling_session(store, products[0], products[1])
    with pytest.raises(ApplicationError) as info:
        services.live_cart_add(session=session, product_id=products[2].pk,
                               actor=store.merchant)
    assert info.value.code == "cart_full"


def test_another_merchant_cannot_edit_the_cart(store, products, other_merchant):
    session = selling_session(store, products[0])
    item = LiveCartItem.objects.get(session=session)
    for action in (
        lambda: services.live_cart_set_enabled(session=session, enabled=False,
                                               actor=other_merchant),
        lambda: services.live_cart_add(session=session, product_id=products[1].pk,
                                       actor=other_merchant),
        lambda: services.live_cart_remove(session=session, item_id=item.pk,
                                          actor=other_merchant),
        lambda: services.live_cart_present(session=session, item_id=item.pk,
                                           actor=other_merchant),
    ):
        with pytest.raises(ApplicationError) as info:
            action()
        assert info.value.code == "not_yours"
    assert cart_ids(session) == [products[0].pk]


def test_an_item_of_another_session_is_not_in_this_cart(store, products, other_merchant):
    mine = selling_session(store, products[0])
    their_store = store_for(other_merchant)
    theirs = selling_session(their_store, listed_sku(their_store).product)
    foreign = LiveCartItem.objects.get(session=theirs)
    with pytest.raises(ApplicationError) as info:
        services.live_cart_remove(session=mine, item_id=foreign.pk, actor=store.merchant)
    assert info.value.code == "not_in_cart"
    assert LiveCartItem.objects.filter(pk=foreign.pk).exists()


# --- restrictions -----------------------------------------------------------------------
def test_a_deposit_shortfall_closes_the_cart_with_the_reason(store, products, buyer_api):
    session = selling_session(store, *products)
    deposit_shortfall(store, timezone.now())
    data = room(buyer_api, session)
    assert data["cart_open"] is False and data["cart"] == []
    assert data["cart_closed_reasons"]
    reason = data["cart_closed_reasons"][0]
    with pytest.raises(ApplicationError) as info:
        services.live_cart_add(session=session, product_id=listed_sku(store).product.pk,
                               actor=store.merchant)
    assert info.value.code == "cart_closed" and reason in str(info.value.message)


def test_selling_cannot_be_turned_on_under_a_restriction(store):
    session = services.live_session_start(store=store, actor=store.merchant)
    deposit_shortfall(store, timezone.now())
    with pytest.raises(ApplicationError) as info:
        services.live_cart_set_enabled(session=session, enabled=True, actor=store.merchant)
    assert info.value.code == "cart_closed"
    assert not LiveSession.objects.get(pk=session.pk).cart_enabled


def credit_cart_restriction(store):
    """The credit score at the cart's node: 暂停使用购物车功能 for a while."""
    from compliance.enforcement.models import Restriction

    now = timezone.now()
    return Restriction.objects.create(store=store, kind="cart", node_score=40,
                                      score_year=now.year, starts_at=now,
                                      ends_at=now + timedelta(days=14))


def test_a_credit_score_restriction_closes_the_cart(store, products, buyer_api):
    session = selling_session(store, *products)
    credit_cart_restriction(store)
    data = room(buyer_api, session)
    assert data["cart_open"] is False and data["cart"] == []
    assert any("40" in reason for reason in data["cart_closed_reasons"])


def test_a_measure_suspending_the_cart_closes_it(store, products, buyer_api, reviewer):
    from compliance.enforcement import measures

    session = selling_session(store, *products)
    measures.measure_apply(store=store, kind="suspend_cart", reason="消费者保障风险",
                           actor=reviewer)
    data = room(buyer_api, session)
    assert data["cart_open"] is False and data["cart_closed_reasons"]
    services.live_session_end(session=session, actor=store.merchant)
    fresh = services.live_session_start(store=store, actor=store.merchant)
    with pytest.raises(ApplicationError) as info:
        services.live_cart_set_enabled(session=fresh, enabled=True, actor=store.merchant)
    assert info.value.code == "cart_closed"


def test_the_session_page_shows_the_cart_closed_with_the_reason(store, products,
                                                              merchant_client):
    session = selling_session(store, *products)
    deposit_shortfall(store, timezone.now())
    reasons = selectors.live_cart_closed_reasons(store)
    page = merchant_client.get(reverse("seller_promotions:live_session", args=[session.pk]))
    assert page.status_code == 200
    assert reasons and reasons[0] in page.content.decode()


# --- pages ------------------------------------------------------------------------------
def test_the_cart_editor_with_plain_forms(store, products, merchant_client):
    session = services.live_session_start(store=store, actor=store.merchant)
    base = f"/seller/promotions/live/{session.pk}/cart/"
    assert merchant_client.post(base + "selling/", {"enabled": "on"}).status_code == 302
    for product in products:
        merchant_client.post(base + "add/", {"product": product.pk})
    assert cart_ids(session) == [p.pk for p in products]
    last = LiveCartItem.objects.get(session=session, product=products[2])
    merchant_client.post(f"{base}{last.pk}/move/", {"direction": "up"})
    merchant_client.post(f"{base}{last.pk}/present/")
    assert cart_ids(session) == [products[0].pk, products[2].pk, products[1].pk]
    assert LiveCartItem.objects.get(pk=last.pk).presenting
    merchant_client.post(f"{base}{last.pk}/remove/")
    assert cart_ids(session) == [products[0].pk, products[1].pk]
    page = merchant_client.get(reverse("seller_promotions:live_session", args=[session.pk]))
    body = page.content.decode()
    assert products[0].title in body and "<script>" not in body


def test_another_merchants_session_is_a_404_on_every_page(store, products, other_merchant_client):
    session = selling_session(store, products[0])
    item = LiveCartItem.objects.get(session=session)
    for url in (f"/seller/promotions/live/{session.pk}/",
                f"/seller/promotions/live/{session.pk}/results/"):
        assert other_merchant_client.get(url).status_code == 404
    base = f"/seller/promotions/live/{session.pk}/cart/"
    for url in (base + "selling/", base + "add/", base + "present-none/",
                f"{base}{item.pk}/remove/", f"{base}{item.pk}/move/",
                f"{base}{item.pk}/present/"):
        assert other_merchant_client.post(url, {"product": products[1].pk,
                                                "direction": "up"}).status_code == 404
    assert cart_ids(session) == [products[0].pk]
    assert LiveSession.objects.get(pk=session.pk).cart_enabled


def test_the_pages_are_for_merchants(store, buyer_client):
    session = selling_session(store)
    response = buyer_client.get(f"/seller/promotions/live/{session.pk}/")
    assert response.status_code in (302, 403)


def test_the_session_pages_are_in_the_live_section_of_the_menu(store, merchant_client):
    import re

    session = selling_session(store)
    for url in (f"/seller/promotions/live/{session.pk}/",
                f"/seller/promotions/live/{session.pk}/results/"):
        html = merchant_client.get(url).content.decode()
        current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', html)
        assert current == ["/seller/promotions/live/"]


def test_the_cart_routes_answer_another_sessions_item_with_404(store, products, other_merchant,
                                                               merchant_client):
    mine = selling_session(store, products[0])
    their_store = store_for(other_merchant)
    foreign = LiveCartItem.objects.get(
        session=selling_session(their_store, listed_sku(their_store).product))
    base = f"/seller/promotions/live/{mine.pk}/cart/{foreign.pk}/"
    for action, data in (("remove", {}), ("move", {"direction": "up"}), ("present", {})):
        assert merchant_client.post(base + action + "/", data).status_code == 404
    assert LiveCartItem.objects.filter(pk=foreign.pk, presenting=False).exists()
    own = LiveCartItem.objects.get(session=mine)
    assert merchant_client.post(
        f"/seller/promotions/live/{mine.pk}/cart/{own.pk}/present/").status_code == 302
