"""Notices about unsafe goods: the matching products of every store, confirmed and delisted
in one step, a measure recorded on each merchant, follow-up per merchant."""

import pytest
from django.urls import reverse

from common.errors import ApplicationError
from compliance.enforcement import notices
from compliance.enforcement.models import Measure, UnsafeGoodsMatch, UnsafeGoodsNotice
from shop.models import Product
from tests.factories import ProductFactory, StoreFactory, leaf_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def stores(merchant, other_merchant):
    return StoreFactory(merchant=merchant), StoreFactory(merchant=other_merchant)


def test_matching_finds_every_store_and_confirmation_delists_in_one_step(stores, reviewer):
    a, b = stores
    cream = leaf_category(code="t_beauty.skin.cream", name="面霜")
    hit_a = ProductFactory(store=a, title="雪肌牌 保湿面霜", category=cream)
    hit_b = ProductFactory(store=b, title="保湿霜", description="雪肌牌 批次 B2026", category=cream)
    ProductFactory(store=b, title="雪肌牌 T恤")  # the brand, another category
    ProductFactory(store=a, title="别的面霜", category=cream)  # the category, not the brand
    notice = notices.notice_record(source="regulator", issuer="市场监管总局",
                                   text="雪肌牌面霜抽检不合格", brand="雪肌牌",
                                   category=cream, actor=reviewer)
    assert {p.pk for p in notices.notice_matching_products(notice)} == {hit_a.pk, hit_b.pk}
    matches = notices.notice_confirm(notice=notice, product_ids=[hit_a.pk, hit_b.pk],
                                     actor=reviewer)
    assert len(matches) == 2
    assert set(Product.objects.filter(status="delisted").values_list("pk", flat=True)) == {
        hit_a.pk, hit_b.pk}
    assert {m.store for m in Measure.objects.filter(kind="delist_product")} == {a, b}
    notice.refresh_from_db()
    assert notice.status == "confirmed"
    assert [e.to_status for e in notice.events.all()] == ["draft", "confirmed"]
    with pytest.raises(ApplicationError):
        notices.notice_confirm(notice=notice, product_ids=[hit_a.pk], actor=reviewer)


def test_same_as_the_product_that_failed_sampling(stores, reviewer):
    a, b = stores
    failed = ProductFactory(store=a, title="儿童水杯 500ml")
    same = ProductFactory(store=b, title="儿童水杯 500ml", category=failed.category)
    ProductFactory(store=b, title="儿童水杯 300ml", category=failed.category)
    notice = notices.notice_record(source="media", issuer="某报", text="同款不合格",
                                   same_as_product=failed, actor=reviewer)
    assert {p.pk for p in notices.notice_matching_products(notice)} == {failed.pk, same.pk}


def test_a_notice_needs_something_to_match(reviewer):
    with pytest.raises(ApplicationError) as exc:
        notices.notice_record(source="media", issuer="某报", text="x", actor=reviewer)
    assert exc.value.code == "no_criteria"


def test_admin_records_confirms_and_follows_up(reviewer_client, stores):
    a, _b = stores
    product = ProductFactory(store=a, title="劣质插线板 批次X1")
    response = reviewer_client.post(reverse("admin:compliance_unsafegoodsnotice_add"), {
        "source": "consumer_association", "issuer": "消费者协会", "text": "插线板不合格",
        "batch": "X1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = UnsafeGoodsNotice.objects.get()
    url = reverse("admin:compliance_unsafegoodsnotice_confirm", args=[notice.pk])
    assert product.title in reviewer_client.get(url).content.decode()
    assert reviewer_client.post(url, {"product": [product.pk], "confirm": "1"}).status_code == 302
    match = UnsafeGoodsMatch.objects.get()
    assert match.product == product and match.measure.applied_by.username == "t_reviewer"
    change = reverse("admin:compliance_unsafegoodsnotice_change", args=[notice.pk])
    assert reviewer_client.get(change).status_code == 200
    response = reviewer_client.post(change, {
        "matches-TOTAL_FORMS": "1", "matches-INITIAL_FORMS": "1", "matches-0-id": match.pk,
        "matches-0-notice": notice.pk, "matches-0-follow_up": "商家已召回",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    match.refresh_from_db()
    assert match.follow_up == "商家已召回" and match.followed_up_at
