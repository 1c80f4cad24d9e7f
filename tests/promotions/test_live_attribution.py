"""Orders placed from a live session's cart or a short video record it as their source
(the order extension checks it first), and the session's and the video's results count
what they sold, in a fixed number of queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from common.errors import ApplicationError
from promotions.models import OrderSource
from promotions.selectors.live import source_results
from promotions.services import live as services
from promotions.services.live import order_source_extension
from shop import order_extensions
from shop.models import Order
from tests.promotions.live_factories import deposit_shortfall, selling_session, video
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def skus(store):
    return [listed_sku(store, price="59.00", stock=50), listed_sku(store, price="80.00", stock=50)]


def refused(code, buyer, sku, source):
    with pytest.raises(ApplicationError) as info:
        place(buyer, sku, options={"source": source})
    assert info.value.code == code, info.value.message
    assert info.value.field == "source"
    assert not Order.objects.exists() and not OrderSource.objects.exists()
    return info.value


def test_the_extension_is_registered_with_the_order_path():
    assert order_source_extension in order_extensions.extensions()


def test_an_order_from_the_live_cart_records_the_session(store, skus, buyer_api):
    session = selling_session(store, skus[0].product)
    response = buyer_api.post(reverse("buyer-orders"), {
        "items": [{"sku": skus[0].pk, "quantity": 2}], "address": ADDRESS,
        "source": f"live:{session.pk}"}, format="json")
    assert response.status_code == 201, response.content
    order = Order.objects.get(number=response.json()["number"])
    assert order.promotion["source"] == f"live:{session.pk}"
    source = OrderSource.objects.get(order=order)
    assert source.session == session and source.video is None and source.store == store


def test_an_order_from_a_video_records_the_video(store, skus, buyer):
    clip = video(store, skus[1].product)
    order = place(buyer, skus[1], options={"source": f"video:{clip.pk}"})
    assert order.promotion == {"source": f"video:{clip.pk}"}
    source = OrderSource.objects.get(order=order)
    assert source.video == clip and source.session is None


def test_an_order_without_a_source_records_none(store, skus, buyer):
    selling_session(store, skus[0].product)
    order = place(buyer, skus[0])
    assert "source" not in order.promotion
    assert not OrderSource.objects.exists()


def test_a_source_that_is_not_well_formed_is_refused_by_the_api(store, skus, buyer_api):
    response = buyer_api.post(reverse("buyer-orders"), {
        "items": [{"sku": skus[0].pk, "quantity": 1}], "address": ADDRESS,
        "source": "live:abc"}, format="json")
    assert response.status_code == 400
    assert "source" in response.json()


def test_a_product_not_in_the_cart_is_refused(store, skus, buyer):
    session = selling_session(store, skus[0].product)
    refused("source_product_not_linked", buyer, skus[1], f"live:{session.pk}")


def test_a_product_not_linked_to_the_video_is_refused(store, skus, buyer):
    clip = video(store, skus[0].product)
    refused("source_product_not_linked", buyer, skus[1], f"video:{clip.pk}")


def test_an_ended_session_is_refused(store, skus, buyer):
    session = selling_session(store, skus[0].product)
    services.live_session_end(session=session, actor=store.merchant)
    refused("source_not_live", buyer, skus[0], f"live:{session.pk}")


def test_a_session_not_selling_is_refused(store, skus, buyer):
    session = selling_session(store, skus[0].product)
    services.live_cart_set_enabled(session=session, enabled=False, actor=store.merchant)
    refused("cart_closed", buyer, skus[0], f"live:{session.pk}")


def test_a_removed_video_is_refused(store, skus, buyer):
    clip = video(store, skus[0].product)
    services.short_video_remove(video=clip, actor=store.merchant)
    refused("source_not_published", buyer, skus[0], f"video:{clip.pk}")


def test_another_stores_session_or_video_is_refused(store, skus, buyer, other_merchant):
    theirs = store_for(other_merchant)
    their_product = listed_sku(theirs).product
    session = selling_session(theirs, their_product)
    clip = video(theirs, their_product)
    refused("source_not_found", buyer, skus[0], f"live:{session.pk}")
    refused("source_not_found", buyer, skus[0], f"video:{clip.pk}")
    refused("source_not_found", buyer, skus[0], "live:999999")


def test_a_credit_score_restriction_refuses_orders_from_the_cart(store, skus, buyer):
    from tests.promotions.test_live_cart import credit_cart_restriction

    session = selling_session(store, skus[0].product)
    clip = video(store, skus[0].product)
    credit_cart_restriction(store)
    for source in (f"live:{session.pk}", f"video:{clip.pk}"):
        with pytest.raises(ApplicationError) as info:
            place(buyer, skus[0], options={"source": source})
        assert "40" in str(info.value.message)
    assert not Order.objects.exists() and not OrderSource.objects.exists()


def test_a_deposit_shortfall_refuses_orders_from_the_cart(store, skus, buyer):
    session = selling_session(store, skus[0].product)
    deposit_shortfall(store, timezone.now())
    with pytest.raises(ApplicationError):
        place(buyer, skus[0], options={"source": f"live:{session.pk}"})
    assert not OrderSource.objects.exists()


def test_a_session_ending_before_the_orders_transaction_refuses_it(store, skus, buyer,
                                                                   monkeypatch):
    session = selling_session(store, skus[0].product)
    real = order_source_extension.price

    def price_then_end(draft):
        real(draft)
        services.live_session_end(session=session, actor=store.merchant)

    monkeypatch.setattr(order_source_extension, "price", price_then_end)
    refused("source_not_live", buyer, skus[0], f"live:{session.pk}")


# --- results ----------------------------------------------------------------------------
def test_the_results_count_orders_sales_and_top_products(store, skus, buyer, other_buyer):
    session = selling_session(store, skus[0].product, skus[1].product)
    source = {"source": f"live:{session.pk}"}
    pay(place(buyer, skus[0], quantity=3, options=source))
    pay(place(other_buyer, skus[1], quantity=1, options=source))
    place(other_buyer, skus[1], quantity=5, options=source)  # not paid
    place(buyer, skus[1], quantity=7)  # not from the session
    results = source_results(session=session)
    assert results.orders == 3 and results.paid_orders == 2
    assert str(results.sales) == "257.00"
    assert [(row["product_id"], row["units"]) for row in results.top_products] == [
        (skus[0].product_id, 3), (skus[1].product_id, 1)]


def test_the_results_page_in_a_fixed_number_of_queries(store, skus, buyer, merchant_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = selling_session(store, skus[0].product, skus[1].product)
    url = reverse("seller_promotions:live_session_results", args=[session.pk])
    pay(place(buyer, skus[0], options={"source": f"live:{session.pk}"}))
    merchant_client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert merchant_client.get(url).status_code == 200
    for sku in skus * 3:
        pay(place(buyer, sku, options={"source": f"live:{session.pk}"}))
    with CaptureQueriesContext(connection) as many:
        response = merchant_client.get(url)
    assert len(many) == len(few)
    body = response.content.decode()
    assert skus[0].product.title in body
    assert Order.objects.filter(buyer=buyer).first().number in body


def test_the_video_page_shows_its_results_to_its_merchant_only(store, skus, buyer,
                                                              merchant_client,
                                                              other_merchant_client):
    clip = video(store, skus[0].product)
    order = pay(place(buyer, skus[0], options={"source": f"video:{clip.pk}"}))
    url = reverse("seller_promotions:videos_detail", args=[clip.pk])
    assert order.number in merchant_client.get(url).content.decode()
    assert other_merchant_client.get(url).status_code == 404
    assert other_merchant_client.get(
        reverse("seller_promotions:live_session_results", args=[
            selling_session(store).pk])).status_code == 404
