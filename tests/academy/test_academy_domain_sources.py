"""The domains tell the academy what bit a merchant: after-sale clocks they let pass and
a deposit shortfall become "recommended for you" lessons, for that merchant only."""

import pytest

from academy.selectors import recommended_lessons
from disputes.models import AfterSaleRequest
from shop.models import DepositAccount
from tests.disputes.aftersale_factories import open_request, signed_order
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = pytest.mark.django_db


def _slugs(user):
    return [r.lesson.slug for r in recommended_lessons(user)]


def test_a_missed_contact_clock_recommends_the_consumer_protection_lesson(
        merchant, other_merchant, buyer):
    store_for(other_merchant)
    sku = listed_sku(store_for(merchant))
    assert "rules-consumer-protection" not in _slugs(merchant)
    request = open_request(signed_order(buyer, sku))
    AfterSaleRequest.objects.filter(pk=request.pk).update(contact_missed=True)
    assert "rules-consumer-protection" in _slugs(merchant)
    assert "rules-consumer-protection" not in _slugs(other_merchant)


def test_a_deposit_shortfall_recommends_the_deposit_lesson(merchant, other_merchant):
    store = store_for(merchant)
    store_for(other_merchant)
    DepositAccount.objects.create(store=store, kind="store", required_amount="2000.00",
                                  shortfall="2000.00")
    assert "rules-deposits" in _slugs(merchant)
    assert "rules-deposits" not in _slugs(other_merchant)


def test_each_running_after_sale_clock_links_its_lesson(merchant, merchant_client, buyer):
    sku = listed_sku(store_for(merchant))
    request = open_request(signed_order(buyer, sku))
    html = merchant_client.get(f"/seller/after-sales/{request.pk}/").content.decode()
    assert "/seller/academy/lessons/rules-consumer-protection/" in html


def test_a_rejection_written_from_a_template_links_the_templates_lesson(
        merchant, merchant_client, reviewer):
    from academy.models import Lesson, LessonLink
    from shop.models import RejectionReasonTemplate
    from shop.services import products as svc
    from tests.factories import leaf_category

    store = store_for(merchant)
    template = RejectionReasonTemplate.objects.create(
        scope="product", text="商品主图不清晰或与商品不符")
    lesson = Lesson.objects.filter(status="published").order_by("pk").first()
    LessonLink.objects.create(kind="rejection_template", key=str(template.pk), lesson=lesson)
    leaf = leaf_category(code="t_root.mid.tee", name="T恤")
    product = svc.product_create(
        store=store, actor=merchant, kind="own",
        data={"title": "纯棉T恤", "category_id": leaf.pk},
        skus=[{"attributes": {"颜色": "白"}, "price": "59.00", "stock": 5}])
    revision = svc.product_submit(product=product, actor=merchant)
    svc.product_revision_reject(revision=revision, actor=reviewer,
                                reason=f"{template.text}；请重新拍摄")
    html = merchant_client.get(f"/seller/products/{product.pk}/").content.decode()
    assert f"/seller/academy/lessons/{lesson.slug}/" in html
