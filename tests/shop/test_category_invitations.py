"""Invitation-only categories (rough jadeite 翡翠原石, 邀请制): a reviewer invites an
industry-belt base store, with a reason and an event; the invited store may list there and
its store deposit becomes the category's base amount; other stores are refused."""

from decimal import Decimal

import pytest

from common.errors import ApplicationError
from compliance import loaders
from compliance.models import Category
from shop.models import CategoryInvitation, Product, ProductRevision
from shop.rules.deposits import INVITATION_TRANSITIONS
from shop.selectors.deposits import deposit_requirements
from shop.services.deposits import deposit_evaluate
from shop.services.invitations import category_invitation_withdraw, category_invite
from shop.services.products import (
    product_revision_approve,
    product_revision_reject,
    product_submit,
)
from tests.factories import ProductFactory, SkuFactory
from tests.shop.test_deposits_fixtures import account, opened_store

pytestmark = pytest.mark.django_db
ROUGH = "jewelry.jade.rough_jadeite"


@pytest.fixture
def tree(db):
    loaders.load_categories()
    return {c.code: c for c in Category.objects.select_related("parent__parent")}


@pytest.fixture
def base_store(merchant):
    return opened_store(merchant, industry_base=True)


def _draft(store, category):
    product = ProductFactory(store=store, category=category, status=Product.Status.DRAFT,
                             title="缅甸翡翠原石 A货")
    SkuFactory(product=product)
    return product


def _invite(store, tree, reviewer, capture):
    with capture(execute=True):
        return category_invite(store=store, category=tree[ROUGH], actor=reviewer,
                               reason="瑞丽翡翠产业带基地商家")


def test_invitation_table():
    assert INVITATION_TRANSITIONS == {"invited": {"withdrawn"}, "withdrawn": frozenset()}


def test_rough_jadeite_is_refused_without_an_invitation(tree, base_store, merchant):
    with pytest.raises(ApplicationError) as info:
        product_submit(product=_draft(base_store, tree[ROUGH]), actor=merchant)
    assert info.value.code == "category_invitation_only"
    assert "翡翠原石" in str(info.value)


def test_invited_base_store_lists_and_its_deposit_becomes_the_base_amount(
        tree, base_store, merchant, reviewer, django_capture_on_commit_callbacks):
    assert deposit_requirements(base_store)["store"].amount == Decimal("500")
    invitation = _invite(base_store, tree, reviewer, django_capture_on_commit_callbacks)
    event = invitation.events.get()
    assert (event.to_status, event.actor, event.reason) == ("invited", reviewer,
                                                            "瑞丽翡翠产业带基地商家")
    assert account(base_store).required_amount == Decimal("50000")
    revision = product_submit(product=_draft(base_store, tree[ROUGH]), actor=merchant)
    assert revision.status == ProductRevision.Status.IN_REVIEW
    product_revision_approve(revision=revision, actor=reviewer)
    assert Product.objects.get(pk=revision.product_id).status == Product.Status.LISTED


def test_withdrawn_invitation_refuses_listing_and_drops_the_amount(
        tree, base_store, merchant, reviewer, django_capture_on_commit_callbacks):
    invitation = _invite(base_store, tree, reviewer, django_capture_on_commit_callbacks)
    listed = product_submit(product=_draft(base_store, tree[ROUGH]), actor=merchant)
    product_revision_approve(revision=listed, actor=reviewer)
    in_review = product_submit(product=_draft(base_store, tree[ROUGH]), actor=merchant)
    with django_capture_on_commit_callbacks(execute=True):
        category_invitation_withdraw(invitation=invitation, actor=reviewer, reason="已退出基地")
    product = Product.objects.get(pk=listed.product_id)
    assert product.status == Product.Status.DELISTED and product.delisted_reason == "已退出基地"
    with pytest.raises(ApplicationError) as info:
        product_revision_approve(revision=in_review, actor=reviewer)
    assert info.value.code == "category_invitation_only"
    with django_capture_on_commit_callbacks(execute=True):
        product_revision_reject(revision=in_review, actor=reviewer, reason="邀请已撤回")
        deposit_evaluate(store=base_store, actor=reviewer)
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn" and invitation.withdrawn_at is not None
    assert invitation.events.last().reason == "已退出基地"
    assert account(base_store).required_amount == Decimal("500")
    with pytest.raises(ApplicationError) as info:
        product_submit(product=_draft(base_store, tree[ROUGH]), actor=merchant)
    assert info.value.code == "category_invitation_only"
    with pytest.raises(ApplicationError):
        category_invitation_withdraw(invitation=invitation, actor=reviewer, reason="再次")
    # Inviting again is a new invitation.
    again = _invite(base_store, tree, reviewer, django_capture_on_commit_callbacks)
    assert again.pk != invitation.pk and again.status == "invited"


def test_only_base_stores_in_invitation_only_categories_can_be_invited(
        tree, reviewer, other_merchant):
    store = opened_store(other_merchant)
    with pytest.raises(ApplicationError) as info:
        category_invite(store=store, category=tree[ROUGH], actor=reviewer, reason="邀请")
    assert info.value.code == "not_invitable"
    store.industry_base = True
    store.save()
    with pytest.raises(ApplicationError) as info:
        category_invite(store=store, category=tree["jewelry.jade.finished_jadeite"],
                        actor=reviewer, reason="邀请")
    assert info.value.code == "not_invitable"
    with pytest.raises(ApplicationError) as info:
        category_invite(store=store, category=tree[ROUGH], actor=reviewer, reason=" ")
    assert info.value.code == "reason_required"
    assert not CategoryInvitation.objects.exists()


def test_a_store_is_invited_once_at_a_time(tree, base_store, reviewer,
                                           django_capture_on_commit_callbacks):
    _invite(base_store, tree, reviewer, django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError) as info:
        category_invite(store=base_store, category=tree[ROUGH], actor=reviewer, reason="再邀")
    assert info.value.code == "already_invited"


def test_an_invitation_counts_only_while_the_store_is_a_base(
        tree, base_store, merchant, reviewer, django_capture_on_commit_callbacks):
    _invite(base_store, tree, reviewer, django_capture_on_commit_callbacks)
    base_store.industry_base = False
    base_store.save()
    assert deposit_requirements(base_store)["store"].amount == Decimal("500")
    with pytest.raises(ApplicationError) as info:
        product_submit(product=_draft(base_store, tree[ROUGH]), actor=merchant)
    assert info.value.code == "category_invitation_only"


# --- admin ------------------------------------------------------------------------------
def test_reviewer_invites_and_withdraws_in_the_admin(
        tree, base_store, reviewer_client, reviewer, django_capture_on_commit_callbacks):
    page = reviewer_client.get("/admin/shop/categoryinvitation/add/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post("/admin/shop/categoryinvitation/add/", {
            "store": base_store.pk, "category": tree[ROUGH].pk, "reason": "基地商家"})
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = CategoryInvitation.objects.get()
    assert invitation.invited_by == reviewer and invitation.events.get().reason == "基地商家"
    assert account(base_store).required_amount == Decimal("50000")
    assert reviewer_client.get(
        f"/admin/shop/categoryinvitation/{invitation.pk}/change/").status_code == 200
    response = reviewer_client.post("/admin/shop/categoryinvitation/", {
        "action": "withdraw_selected", "_selected_action": [invitation.pk]})
    assert response.status_code == 200  # the reason page
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_client.post("/admin/shop/categoryinvitation/", {
            "action": "withdraw_selected", "_selected_action": [invitation.pk], "apply": "1",
            "text": "退出基地"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"
    assert account(base_store).required_amount == Decimal("500")


def test_admin_refuses_a_store_outside_a_base(tree, reviewer_client, other_merchant):
    store = opened_store(other_merchant)
    response = reviewer_client.post("/admin/shop/categoryinvitation/add/", {
        "store": store.pk, "category": tree[ROUGH].pk, "reason": "邀请"})
    assert response.status_code == 200
    assert "产业带基地" in response.content.decode() or "industry-belt" in response.content.decode()
    assert not CategoryInvitation.objects.exists()
