"""Linking a selection-center offer to a promoter's video: one service call that adds the
product after the video's links under the video's lock, and a page that reads the
promoter's videos through the selection selectors."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from common.errors import ApplicationError
from promotions.models import ShortVideo, ShortVideoEvent, ShortVideoProduct
from promotions.selectors.selection import promoter_video, promoter_videos
from promotions.services import live as live_services
from tests.promotions.live_factories import video
from tests.promotions.selection_factories import offer
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = pytest.mark.django_db
VIEW = Path(__file__).resolve().parents[2] / "promotions" / "views" / "selection.py"


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


def _links(clip):
    return list(ShortVideoProduct.objects.filter(video=clip).order_by("position")
                .values_list("product_id", flat=True))


def test_the_selection_views_query_no_model_directly():
    """Reads go through selectors: the view module names no `<Model>.objects`."""
    tree = ast.parse(VIEW.read_text())
    direct = [node.value.id for node in ast.walk(tree)
              if isinstance(node, ast.Attribute) and node.attr == "objects"
              and isinstance(node.value, ast.Name)]
    assert direct == []


def test_linking_an_offer_appends_it_once(offered, promoter):
    own = listed_sku(promoter).product
    clip = video(promoter, own)
    live_services.short_video_link_product(video=clip, product_id=offered.pk,
                                           actor=promoter.merchant)
    assert _links(clip) == [own.pk, offered.pk]
    events = ShortVideoEvent.objects.filter(video=clip).count()
    live_services.short_video_link_product(video=clip, product_id=offered.pk,
                                           actor=promoter.merchant)
    assert _links(clip) == [own.pk, offered.pk]
    assert ShortVideoEvent.objects.filter(video=clip).count() == events


def test_linking_is_refused_on_another_stores_or_a_removed_video(offered, seller, promoter):
    clip = video(promoter)
    with pytest.raises(ApplicationError) as info:
        live_services.short_video_link_product(video=clip, product_id=offered.pk,
                                               actor=seller.merchant)
    assert info.value.code == "not_yours"
    live_services.short_video_remove(video=clip, actor=promoter.merchant)
    with pytest.raises(ApplicationError) as info:
        live_services.short_video_link_product(video=clip, product_id=offered.pk,
                                               actor=promoter.merchant)
    assert info.value.code == "bad_state"
    assert _links(clip) == []


def test_the_link_limit_counts_the_videos_links(offered, promoter):
    from common import config

    config.set_value("short_video.max_products", 1)
    own = listed_sku(promoter).product
    clip = video(promoter, own)
    with pytest.raises(ApplicationError) as info:
        live_services.short_video_link_product(video=clip, product_id=offered.pk,
                                               actor=promoter.merchant)
    assert info.value.code == "too_many_products"
    assert _links(clip) == [own.pk]


def test_the_promoters_videos_are_its_published_ones(promoter, seller):
    mine = video(promoter, title="我的")
    gone = video(promoter, title="删掉")
    live_services.short_video_remove(video=gone, actor=promoter.merchant)
    other = video(seller, title="别人的")
    assert [v.pk for v in promoter_videos(promoter, limit=10)] == [mine.pk]
    assert promoter_video(promoter, str(mine.pk)).pk == mine.pk
    for pk in (gone.pk, other.pk, "x", None):
        with pytest.raises(ShortVideo.DoesNotExist):
            promoter_video(promoter, pk)


def test_linking_another_stores_video_from_the_page_is_refused(offered, seller, promoter,
                                                               other_merchant_client):
    foreign = video(seller)
    response = other_merchant_client.post(
        reverse("seller_promotions:selection_link_to_video",
                args=[offered.offers.get().pk]), {"video": foreign.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("seller_promotions:selection")
    assert _links(foreign) == []
