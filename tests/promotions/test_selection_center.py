"""The selection center seen by a seller and by promoters: offers within the rate bounds,
what a promoter may browse and carry (only what is offered, never its own, never another
store's other products), the earn figure, adding to its own live cart and videos, the
pages and their isolation."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common import config
from common.errors import ApplicationError
from promotions.models import LiveCartItem, ProductOffer, ShortVideoProduct
from promotions.rules import selection as rules
from promotions.selectors.selection import center_page
from promotions.services import live as live_services
from promotions.services.selection import offer_change_rate, offer_withdraw
from shop.models import Product, Store
from tests.factories import leaf_category
from tests.promotions.live_factories import selling_session, video
from tests.promotions.selection_factories import add_to_cart, offer
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def seller(merchant):
    return store_for(merchant)


@pytest.fixture
def promoter(other_merchant):
    return store_for(other_merchant)


@pytest.fixture
def offered(seller):
    sku = listed_sku(seller, price="99.90", title="羊毛围巾")
    offer(sku.product, "0.15")
    return sku.product


# --- rules ------------------------------------------------------------------------------
@pytest.mark.parametrize("typed, rate", [("20", D("0.2")), ("12.5", D("0.125")),
                                         ("0.01", D("0.0001")), ("7%", D("0.07"))])
def test_a_rate_is_typed_in_percent(typed, rate):
    assert rules.rate_parse(typed) == rate


@pytest.mark.parametrize("typed", ["", "abc", "12.345", "NaN", "Infinity"])
def test_a_rate_that_is_not_a_percentage_is_refused(typed):
    assert rules.rate_parse(typed) is None


def test_earn_per_item_is_rounded_to_the_cent():
    assert rules.earn_per_item(D("99.90"), D("0.15")) == D("14.99")  # 14.985 → 14.99
    assert rules.earn_per_item(D("10.00"), D("0.333")) == D("3.33")


def test_commission_follows_the_money_left():
    lines = [(D("100.00"), D("0.2")), (D("50.00"), D("0.1"))]
    assert rules.commission_due(lines, D("150.00")) == (D("150.00"), D("25.00"))
    # 30 refunded without naming a line: 120 / 150 of it
    assert rules.commission_due(lines, D("120.00")) == (D("120.00"), D("20.00"))
    assert rules.commission_due(lines, D("0")) == (D("0.00"), D("0.00"))


def test_a_reversal_never_exceeds_what_is_left():
    assert rules.reversal_due(refund=D("50"), rate=D("0.2"), remaining=D("40")) == D("10.00")
    assert rules.reversal_due(refund=D("500"), rate=D("0.2"), remaining=D("40")) == D("40.00")
    assert rules.reversal_due(refund=D("50"), rate=D("0.2"), remaining=D("0")) == D("0")


def test_the_transition_tables():
    assert rules.COMMISSION_TRANSITIONS["pending"] == {"settled", "reversed"}
    assert rules.COMMISSION_TRANSITIONS["settled"] == {"reversed"}
    # only a refund that failed at the provider brings a reversed commission back
    assert rules.COMMISSION_TRANSITIONS["reversed"] == {"pending", "settled"}
    assert rules.OFFER_TRANSITIONS == {"active": {"withdrawn"}, "withdrawn": set()}


# --- offers -----------------------------------------------------------------------------
@pytest.mark.parametrize("rate", ["0.005", "0.51", "0", "1", "-0.1", "0.12345"])
def test_a_rate_outside_the_bounds_is_refused(seller, rate):
    product = listed_sku(seller).product
    with pytest.raises(ApplicationError) as info:
        offer(product, rate)
    assert info.value.code == "rate_out_of_bounds"
    assert not ProductOffer.objects.exists()


def test_the_bounds_are_configuration(seller):
    config.set_value("selection.min_commission_rate", "0.05")
    product = listed_sku(seller).product
    with pytest.raises(ApplicationError):
        offer(product, "0.04")
    assert offer(product, "0.05").rate == D("0.05")


def test_only_listed_own_products_of_the_merchants_store_are_offered(seller, promoter):
    delisted = listed_sku(seller, status=Product.Status.DELISTED).product
    with pytest.raises(ApplicationError) as info:
        offer(delisted)
    assert info.value.code == "product_not_listed"
    theirs = listed_sku(promoter).product
    from promotions.services.selection import offer_create
    with pytest.raises(ApplicationError) as info:
        offer_create(store=seller, product_id=theirs.pk, rate=D("0.1"), actor=seller.merchant)
    assert info.value.code == "product_not_found"
    with pytest.raises(ApplicationError) as info:
        offer_create(store=promoter, product_id=theirs.pk, rate=D("0.1"), actor=seller.merchant)
    assert info.value.code == "not_yours"


def test_change_and_withdraw_write_the_timeline(offered, seller):
    current = offered.offers.get()
    offer_change_rate(offer=current, rate=D("0.25"), actor=seller.merchant)
    offer_withdraw(offer=current, actor=seller.merchant)
    current.refresh_from_db()
    assert current.status == "withdrawn" and current.rate == D("0.25")
    assert [e.reason_code for e in current.events.order_by("pk")] == [
        "promotions.offer_created", "promotions.offer_rate_changed",
        "promotions.offer_withdrawn"]
    with pytest.raises(ApplicationError) as info:
        offer_change_rate(offer=current, rate=D("0.3"), actor=seller.merchant)
    assert info.value.code == "bad_state"
    # it may be offered again
    assert offer(offered, "0.1").status == "active"


# --- what a promoter sees and carries ---------------------------------------------------
def test_the_center_shows_offers_of_other_stores_only(offered, seller, promoter):
    listed_sku(seller, title="未提供的商品")  # not offered
    own = listed_sku(promoter, title="推广者自己的").product
    offer(own, "0.3")
    page = center_page(promoter)
    assert [o.product_id for o in page.object_list] == [offered.pk]
    item = page.object_list[0]
    assert item.price_from == D("99.90") and item.earn == D("14.99")
    # the seller does not see its own offers in the center
    assert [o.product_id for o in center_page(seller).object_list] == [own.pk]


def test_withdrawn_delisted_or_closed_store_offers_leave_the_center(offered, seller, promoter):
    Product.objects.filter(pk=offered.pk).update(status=Product.Status.DELISTED)
    assert center_page(promoter).object_list == []
    Product.objects.filter(pk=offered.pk).update(status=Product.Status.LISTED)
    Store.objects.filter(pk=seller.pk).update(status=Store.Status.CLOSING)
    assert center_page(promoter).object_list == []


def test_search_category_and_sorts(seller, promoter):
    other_leaf = leaf_category(code="t_root.mid.other", name="其他")
    a = listed_sku(seller, price="10.00", title="红茶礼盒").product
    b = listed_sku(seller, price="10.00", title="绿茶", category=other_leaf).product
    offer(a, "0.10")
    offer(b, "0.30")
    ProductOffer.objects.filter(product=a).update(units_sold=9)
    assert [o.product_id for o in center_page(promoter).object_list] == [b.pk, a.pk]
    assert [o.product_id for o in center_page(promoter, sort="sales").object_list] == [a.pk, b.pk]
    assert [o.product_id for o in center_page(promoter, q="红茶").object_list] == [a.pk]
    # both sit under the same second-level category
    assert [o.product_id for o in center_page(
        promoter, category=str(other_leaf.parent_id)).object_list] == [b.pk, a.pk]
    assert [o.product_id for o in center_page(
        promoter, category=str(other_leaf.pk)).object_list] == [b.pk]


def test_keyset_pages_walk_the_center_by_commission(seller, promoter):
    config.set_value("selection.page_size", 2)
    products = [listed_sku(seller, price="10.00").product for _ in range(5)]
    for i, product in enumerate(products):
        offer(product, ["0.10", "0.20", "0.20", "0.30", "0.05"][i])
    first = center_page(promoter)
    second = center_page(promoter, after=first.next_cursor)
    third = center_page(promoter, after=second.next_cursor)
    seen = [o.pk for page in (first, second, third) for o in page.object_list]
    assert len(seen) == 5 == len(set(seen))
    rates = [o.rate for page in (first, second, third) for o in page.object_list]
    assert rates == sorted(rates, reverse=True)
    back = center_page(promoter, before=third.previous_cursor)
    assert [o.pk for o in back.object_list] == [o.pk for o in second.object_list]


def test_a_promoter_adds_an_offered_product_to_its_cart_and_video(offered, promoter):
    session = selling_session(promoter)
    item = add_to_cart(session, offered)
    assert item.product == offered
    clip = video(promoter, offered)
    assert ShortVideoProduct.objects.filter(video=clip, product=offered).exists()


def test_a_promoter_cannot_carry_another_stores_unoffered_products(seller, promoter, offered):
    unoffered = listed_sku(seller).product
    session = selling_session(promoter)
    with pytest.raises(ApplicationError) as info:
        add_to_cart(session, unoffered)
    assert info.value.code == "product_not_found"
    with pytest.raises(ApplicationError):
        video(promoter, unoffered)
    offer_withdraw(offer=offered.offers.get(), actor=seller.merchant)
    with pytest.raises(ApplicationError):
        add_to_cart(session, offered)
    assert not LiveCartItem.objects.filter(session=session).exists()


def test_a_closing_store_cannot_promote(offered, promoter):
    session = selling_session(promoter)
    Store.objects.filter(pk=promoter.pk).update(status=Store.Status.CLOSING)
    promoter.refresh_from_db()
    with pytest.raises(ApplicationError):
        live_services.live_cart_add(session=session, product_id=offered.pk,
                                    actor=promoter.merchant)


# --- pages ------------------------------------------------------------------------------
def test_the_center_page_shows_the_earn_figure(offered, promoter, other_merchant_client):
    response = other_merchant_client.get(reverse("seller_promotions:selection"))
    page = response.content.decode()
    assert response.status_code == 200
    assert offered.title in page and "¥14.99" in page and "15%" in page


def test_the_center_page_runs_a_fixed_number_of_queries(seller, promoter, other_merchant_client):
    for _ in range(3):
        offer(listed_sku(seller).product)
    url = reverse("seller_promotions:selection")
    other_merchant_client.get(url)
    with CaptureQueriesContext(connection) as few:
        other_merchant_client.get(url)
    for _ in range(5):
        offer(listed_sku(seller).product)
    with CaptureQueriesContext(connection) as many:
        response = other_merchant_client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)


def test_a_promoter_opens_offers_only(offered, seller, promoter, other_merchant_client):
    current = offered.offers.get()
    assert other_merchant_client.get(
        reverse("seller_promotions:selection_detail", args=[current.pk])).status_code == 200
    # the seller's own offer page, and its products not offered: 404
    assert other_merchant_client.get(reverse("seller_promotions:selection_offers_detail",
                                             args=[current.pk])).status_code == 404
    withdrawn = offer(listed_sku(seller).product)
    offer_withdraw(offer=withdrawn, actor=seller.merchant)
    assert other_merchant_client.get(
        reverse("seller_promotions:selection_detail", args=[withdrawn.pk])).status_code == 404
    response = other_merchant_client.post(
        reverse("seller_promotions:selection_add_to_cart", args=[withdrawn.pk]))
    assert response.status_code == 404


def test_add_to_cart_from_the_page(offered, promoter, other_merchant_client):
    session = selling_session(promoter)
    current = offered.offers.get()
    response = other_merchant_client.post(
        reverse("seller_promotions:selection_add_to_cart", args=[current.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("seller_promotions:live_session", args=[session.pk])
    assert LiveCartItem.objects.filter(session=session, product=offered).exists()


def test_link_to_video_from_the_page_keeps_the_videos_products(offered, promoter,
                                                               other_merchant_client):
    own = listed_sku(promoter).product
    clip = video(promoter, own)
    current = offered.offers.get()
    other_merchant_client.post(reverse("seller_promotions:selection_link_to_video",
                                       args=[current.pk]), {"video": clip.pk})
    assert list(ShortVideoProduct.objects.filter(video=clip).order_by("position")
                .values_list("product_id", flat=True)) == [own.pk, offered.pk]
    # the video page lists the linked center product as a choice, so saving keeps it
    page = other_merchant_client.get(reverse("seller_promotions:videos_detail",
                                             args=[clip.pk])).content.decode()
    assert offered.title in page


def test_the_seller_offers_withdraws_with_confirmation(seller, merchant_client):
    product = listed_sku(seller, title="手工皂").product
    url = reverse("seller_promotions:selection_offers")
    response = merchant_client.post(url, {"product": product.pk, "rate": "60"})
    assert response.status_code == 200 and not ProductOffer.objects.exists()
    response = merchant_client.post(url, {"product": product.pk, "rate": "12.5"})
    assert response.status_code == 302
    current = ProductOffer.objects.get()
    assert current.rate == D("0.125")
    assert "手工皂" in merchant_client.get(url).content.decode()
    withdraw = reverse("seller_promotions:selection_offers_withdraw", args=[current.pk])
    merchant_client.post(withdraw)
    current.refresh_from_db()
    assert current.status == "active"
    merchant_client.post(withdraw, {"confirm": "yes"})
    current.refresh_from_db()
    assert current.status == "withdrawn"


def test_another_merchant_cannot_change_or_withdraw_an_offer(offered, other_merchant_client):
    current = offered.offers.get()
    for name in ("selection_offers_detail", "selection_offers_withdraw"):
        response = other_merchant_client.post(reverse(f"seller_promotions:{name}",
                                                      args=[current.pk]),
                                              {"rate": "40", "confirm": "yes"})
        assert response.status_code == 404
    current.refresh_from_db()
    assert current.status == "active" and current.rate == D("0.15")


@pytest.mark.parametrize("name", ["selection", "selection_offers", "selection_commissions"])
def test_the_selection_center_section_is_current_on_its_pages(merchant_client, seller, name):
    html = merchant_client.get(reverse(f"seller_promotions:{name}")).content.decode()
    current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', html)
    assert current == [reverse("seller_promotions:selection")]


def test_viewers_see_the_center_product_in_the_promoters_cart(offered, seller, promoter,
                                                             buyer_api):
    own = listed_sku(promoter, price="20.00").product
    session = selling_session(promoter, own, offered)
    data = buyer_api.get(reverse("buyer-live-session", args=[session.pk])).json()
    assert [row["product"] for row in data["cart"]] == [own.pk, offered.pk]
    assert data["cart"][1]["price_from"] == "99.90"
    assert "rate" not in str(data) and "commission" not in str(data)


def test_the_promoters_session_results_list_center_orders_without_the_sellers_link(
        offered, seller, promoter, buyer, other_merchant_client):
    from tests.shop.order_factories import pay, place

    session = selling_session(promoter, offered)
    order = pay(place(buyer, offered.skus.get(), options={"source": f"live:{session.pk}"}))
    page = other_merchant_client.get(reverse("seller_promotions:live_session_results",
                                             args=[session.pk])).content.decode()
    assert order.number in page
    assert reverse("seller:orders_detail", args=[order.number]) not in page
