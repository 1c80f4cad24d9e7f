"""Short videos (短视频): published with a cover checked like every upload, linked to the
store's listed own products (关联我的商品); the buyer API shows a video's products unless
the store's restrictions close them; merchants see and change only their own."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from common.errors import ApplicationError
from promotions.models import ShortVideo, ShortVideoProduct
from promotions.services import live as services
from tests.promotions.live_factories import deposit_shortfall, png, video
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
    return [listed_sku(store, price=price).product for price in ("59.00", "79.00")]


def linked(clip):
    return list(ShortVideoProduct.objects.filter(video=clip).order_by("position")
                .values_list("product_id", flat=True))


def test_publish_with_a_cover_and_products(store, products):
    clip = video(store, *products)
    assert clip.status == "published" and clip.published_at
    assert clip.cover.name.startswith("public/videos/") and clip.cover.name.endswith(".png")
    assert "cover" not in clip.cover.name
    assert linked(clip) == [p.pk for p in products]
    assert clip.events.get().to_status == "published"


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("cover.png", b"<svg onload=alert(1)></svg>", content_type="image/png"),
    SimpleUploadedFile("cover.png", b"not an image at all", content_type="image/png"),
    None,
])
def test_a_cover_that_is_not_an_image_is_refused(store, products, upload):
    with pytest.raises(ApplicationError) as info:
        services.short_video_publish(store=store, actor=store.merchant, title="开箱",
                                     cover=upload, product_ids=[products[0].pk])
    assert info.value.field == "cover"
    assert not ShortVideo.objects.exists()


def test_only_the_stores_listed_own_products_are_linked(store, products, other_merchant):
    foreign = listed_sku(store_for(other_merchant)).product
    with pytest.raises(ApplicationError) as info:
        video(store, products[0], foreign)
    assert info.value.code == "product_not_found"
    clip = video(store, products[0])
    with pytest.raises(ApplicationError):
        services.short_video_link_products(video=clip, product_ids=[foreign.pk],
                                           actor=store.merchant)
    assert linked(clip) == [products[0].pk]


def test_relinking_replaces_the_products_in_order(store, products):
    clip = video(store, products[0])
    services.short_video_link_products(video=clip, product_ids=[products[1].pk, products[0].pk],
                                       actor=store.merchant)
    assert linked(clip) == [products[1].pk, products[0].pk]
    codes = [e.reason_code.removeprefix("promotions.") for e in clip.events.order_by("pk")]
    assert codes == ["video_published", "video_products_linked"]


def test_the_number_of_linked_products_is_configured(store, products):
    from common import config

    config.set_value("short_video.max_products", 1)
    with pytest.raises(ApplicationError) as info:
        video(store, *products)
    assert info.value.code == "too_many_products"


def test_another_merchant_cannot_change_or_remove_the_video(store, products, other_merchant):
    clip = video(store, products[0])
    with pytest.raises(ApplicationError):
        services.short_video_link_products(video=clip, product_ids=[], actor=other_merchant)
    with pytest.raises(ApplicationError):
        services.short_video_remove(video=clip, actor=other_merchant)
    clip.refresh_from_db()
    assert clip.status == "published" and linked(clip) == [products[0].pk]


# --- the buyer API ----------------------------------------------------------------------
def test_the_buyer_api_shows_a_videos_products(store, products, buyer_api):
    clip = video(store, *products)
    data = buyer_api.get(reverse("buyer-video", args=[clip.pk])).json()
    assert data["products_open"] is True
    assert [row["product"] for row in data["products"]] == [p.pk for p in products]
    assert data["products"][1]["price_from"] == "79.00"
    assert data["video"]["source"] == f"video:{clip.pk}"
    assert data["video"]["cover"].endswith(clip.cover.url)


def test_the_buyer_list_of_a_stores_videos(store, products, buyer_api, other_merchant):
    mine = video(store, products[0])
    removed = video(store, products[1])
    services.short_video_remove(video=removed, actor=store.merchant)
    theirs = store_for(other_merchant)
    video(theirs, listed_sku(theirs).product)
    rows = buyer_api.get(reverse("buyer-videos"), {"store": store.slug}).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert buyer_api.get(reverse("buyer-videos"), {"store": "no-such-store"}).status_code == 404


def test_a_removed_video_is_not_found(store, products, buyer_api):
    clip = video(store, products[0])
    services.short_video_remove(video=clip, actor=store.merchant)
    assert buyer_api.get(reverse("buyer-video", args=[clip.pk])).status_code == 404


def test_a_restriction_closes_the_videos_products_with_the_reason(store, products, buyer_api):
    clip = video(store, *products)
    deposit_shortfall(store, timezone.now())
    data = buyer_api.get(reverse("buyer-video", args=[clip.pk])).json()
    assert data["products_open"] is False and data["products"] == []
    assert data["closed_reasons"]
    with pytest.raises(ApplicationError) as info:
        video(store, products[0])
    assert info.value.code == "cart_closed"


# --- pages ------------------------------------------------------------------------------
def test_publish_and_relink_through_the_pages(store, products, merchant_client):
    response = merchant_client.post(reverse("seller_promotions:videos_new"), {
        "title": "新品开箱", "cover": png(), "products": [products[0].pk]})
    assert response.status_code == 302, response.content.decode()[:2000]
    clip = ShortVideo.objects.get()
    assert linked(clip) == [products[0].pk]
    url = reverse("seller_promotions:videos_detail", args=[clip.pk])
    merchant_client.post(url, {"products": [p.pk for p in products]})
    assert set(linked(clip)) == {p.pk for p in products}
    body = merchant_client.get(url).content.decode()
    assert products[1].title in body and "<script>" not in body
    listing = merchant_client.get(reverse("seller_promotions:videos")).content.decode()
    assert "新品开箱" in listing
    merchant_client.post(reverse("seller_promotions:videos_remove", args=[clip.pk]),
                         {"confirm": "yes"})
    assert ShortVideo.objects.get().status == "removed"


def test_a_bad_cover_is_shown_on_the_form(store, products, merchant_client):
    response = merchant_client.post(reverse("seller_promotions:videos_new"), {
        "title": "新品开箱", "products": [products[0].pk],
        "cover": SimpleUploadedFile("cover.png", b"<html>", content_type="image/png")})
    assert response.status_code == 200
    assert not ShortVideo.objects.exists()


def test_another_merchants_video_is_a_404_and_not_listed(store, products, other_merchant,
                                                       other_merchant_client):
    store_for(other_merchant)
    clip = video(store, products[0])
    assert other_merchant_client.get(
        reverse("seller_promotions:videos_detail", args=[clip.pk])).status_code == 404
    assert other_merchant_client.post(
        reverse("seller_promotions:videos_detail", args=[clip.pk]),
        {"products": []}).status_code == 404
    assert other_merchant_client.post(
        reverse("seller_promotions:videos_remove", args=[clip.pk]),
        {"confirm": "yes"}).status_code == 404
    assert clip.title not in other_merchant_client.get(
        reverse("seller_promotions:videos")).content.decode()
    assert linked(clip) == [products[0].pk]
    assert ShortVideo.objects.get().status == "published"


def test_another_merchants_products_are_not_offered_on_the_form(store, products,
                                                              other_merchant_client,
                                                              other_merchant):
    theirs = store_for(other_merchant)
    listed_sku(theirs)
    body = other_merchant_client.get(reverse("seller_promotions:videos_new")).content.decode()
    assert all(p.title not in body for p in products)
    response = other_merchant_client.post(reverse("seller_promotions:videos_new"), {
        "title": "x", "cover": png(), "products": [products[0].pk]})
    assert response.status_code == 200
    assert not ShortVideo.objects.exists()


def test_the_cover_is_decoded_before_the_transaction(store, products):
    from django.db import connection
    from PIL import Image

    depths = []
    real_open = Image.open

    def spy(*args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return real_open(*args, **kwargs)

    from unittest import mock

    with mock.patch.object(Image, "open", spy):
        video(store, products[0])
    base = len(connection.atomic_blocks)
    assert depths and all(depth == base for depth in depths)


@pytest.mark.parametrize(("url", "param"), [("buyer-videos", "store"),
                                            ("buyer-flash-sales", "status")])
def test_an_empty_filter_is_refused_as_the_schema_says(buyer_api, url, param):
    response = buyer_api.get(reverse(url), {param: ""})
    assert response.status_code == 400
    assert param in response.json()
