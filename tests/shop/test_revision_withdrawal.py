"""A draft change of a listed product that is then delisted: the merchant edits the
delisted product and submits it, and the stale draft change is withdrawn, not a crash."""

import pytest

from shop.models import Product, ProductRevision
from shop.services import products as svc
from tests.factories import StoreFactory, leaf_category

pytestmark = pytest.mark.django_db

SKUS = [{"attributes": {"颜色": "白"}, "price": "59.00", "stock": 10}]


@pytest.fixture
def listed_with_draft_change(merchant, reviewer):
    store = StoreFactory(merchant=merchant)
    leaf = leaf_category(code="t_root.mid.tee", name="T恤")
    product = svc.product_create(store=store, actor=merchant, kind="own",
                                 data={"title": "纯棉T恤", "category_id": leaf.pk}, skus=SKUS)
    svc.product_revision_approve(revision=svc.product_submit(product=product, actor=merchant),
                                 actor=reviewer)
    svc.product_update(product=product, actor=merchant,
                       data={"title": "纯棉T恤 新款", "category_id": leaf.pk}, skus=SKUS)
    draft = product.revisions.get(status=ProductRevision.Status.DRAFT)
    return product, draft, leaf


@pytest.mark.parametrize("delisted_by", ["merchant", "reviewer"])
def test_resubmitting_a_delisted_product_withdraws_its_draft_change(
        listed_with_draft_change, merchant, reviewer, delisted_by):
    product, draft, leaf = listed_with_draft_change
    actor = merchant if delisted_by == "merchant" else reviewer
    svc.product_delist(product=product, actor=actor, reason="暂停销售")
    svc.product_update(product=product, actor=merchant,
                       data={"title": "纯棉T恤 重新上架", "category_id": leaf.pk}, skus=SKUS)
    revision = svc.product_submit(product=product, actor=merchant)
    assert revision.status == ProductRevision.Status.IN_REVIEW
    assert revision.payload["title"] == "纯棉T恤 重新上架"
    draft.refresh_from_db()
    assert draft.status == ProductRevision.Status.WITHDRAWN
    event = product.events.filter(to_status="withdrawn").get()
    assert event.from_status == "draft" and event.actor == merchant
    product.refresh_from_db()
    assert product.status == Product.Status.IN_REVIEW
    svc.product_revision_approve(revision=revision, actor=reviewer)
    product.refresh_from_db()
    assert product.status == Product.Status.LISTED and product.title == "纯棉T恤 重新上架"


def test_a_delisted_product_with_a_change_in_review_is_not_submitted_twice(
        listed_with_draft_change, merchant, reviewer):
    from common.errors import ApplicationError

    product, draft, _leaf = listed_with_draft_change
    svc.product_submit(product=product, actor=merchant)  # the change goes to review
    svc.product_delist(product=product, actor=reviewer, reason="抽检不合格")
    with pytest.raises(ApplicationError) as info:
        svc.product_submit(product=product, actor=merchant)
    assert info.value.code == "bad_state"
    draft.refresh_from_db()
    assert draft.status == ProductRevision.Status.IN_REVIEW
