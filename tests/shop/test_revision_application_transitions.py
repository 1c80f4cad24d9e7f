"""The one transition writer of product revisions and of store applications: their
tables, what a refused move leaves behind (nothing), the timeline rows of the legal ones,
and the pages that show those timelines (labels, not codes)."""

from datetime import datetime
from itertools import product as pairs

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from common.errors import ApplicationError
from shop.models import (
    MerchantApplication,
    MerchantApplicationEvent,
    Product,
    ProductEvent,
    ProductRevision,
)
from shop.rules.onboarding import APPLICATION_TRANSITIONS
from shop.rules.products import REVISION_TRANSITIONS, can_move
from shop.services import onboarding
from shop.services import products as svc
from tests.factories import MerchantApplicationFactory, ProductFactory, StoreFactory, leaf_category

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
SKUS = [{"attributes": {"颜色": "白", "尺码": "M"}, "price": "59.00", "stock": 10, "code": ""}]
LISTED_VERSION_MESSAGE = "A change is in review; the listed version stays on sale meanwhile."

REVISION_STATUSES = ProductRevision.Status.values
APPLICATION_STATUSES = MerchantApplication.Status.values
REVISION_MOVES = {("draft", "in_review"), ("draft", "withdrawn"), ("in_review", "approved"),
                  ("in_review", "rejected")}
APPLICATION_MOVES = {("pending", "approved"), ("pending", "rejected"), ("rejected", "pending")}


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def leaf():
    return leaf_category(code="t_root.mid.tee", name="T恤")


def _new_product(store, leaf):
    return svc.product_create(
        store=store, actor=store.merchant, kind="own",
        data={"title": "纯棉T恤", "category_id": leaf.pk}, skus=SKUS,
    )


def _listed_with_change(store, leaf, reviewer):
    """A listed product with a change of it submitted for review."""
    product = _new_product(store, leaf)
    svc.product_revision_approve(
        revision=svc.product_submit(product=product, actor=store.merchant), actor=reviewer
    )
    svc.product_update(
        product=product, actor=store.merchant,
        data={"title": "纯棉T恤 新款", "category_id": leaf.pk}, skus=SKUS,
    )
    return product, svc.product_submit(product=product, actor=store.merchant)


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _timeline(body):
    return body[body.index('class="timeline"'):]


# --- the tables -------------------------------------------------------------------------------
def test_every_status_has_a_row_and_every_move_ends_in_a_status():
    for table, statuses in (
        (REVISION_TRANSITIONS, REVISION_STATUSES), (APPLICATION_TRANSITIONS, APPLICATION_STATUSES)
    ):
        assert set(table) == set(statuses)
        assert all(set(targets) <= set(statuses) for targets in table.values())
        assert all(isinstance(targets, frozenset) for targets in table.values())


@pytest.mark.parametrize("old,new", list(pairs(REVISION_STATUSES, repeat=2)))
def test_revision_table_is_exactly_the_review(old, new):
    assert can_move(REVISION_TRANSITIONS, old, new) == ((old, new) in REVISION_MOVES)


@pytest.mark.parametrize("old,new", list(pairs(APPLICATION_STATUSES, repeat=2)))
def test_application_table_is_exactly_the_onboarding_review(old, new):
    assert can_move(APPLICATION_TRANSITIONS, old, new) == ((old, new) in APPLICATION_MOVES)


# --- the writers --------------------------------------------------------------------------------
@pytest.mark.parametrize("old,new", list(pairs(REVISION_STATUSES, repeat=2)))
def test_revision_writer_moves_what_the_table_allows_and_nothing_else(old, new, reviewer):
    product = ProductFactory()
    revision = ProductRevision.objects.create(
        product=product, number=1, is_change=True, payload={}, status=old
    )
    events = ProductEvent.objects.filter(product=product)
    if (old, new) not in REVISION_MOVES:
        with pytest.raises(ApplicationError) as err, transaction.atomic():
            svc.product_revision_transition(revision, new, actor=reviewer, reason="r", now=NOW)
        assert err.value.code == "bad_state"
        assert ProductRevision.objects.get(pk=revision.pk).status == old
        assert not events.exists()
        return
    with transaction.atomic():
        svc.product_revision_transition(
            revision, new, actor=reviewer, reason="r", now=NOW, fields={"decided_at": NOW}
        )
    stored = ProductRevision.objects.get(pk=revision.pk)
    assert (stored.status, stored.decided_at) == (new, NOW)
    event = events.get()
    assert (event.from_status, event.to_status, event.actor, event.reason, event.at) == (
        old, new, reviewer, "r", NOW
    )
    assert event.data == {"revision_id": revision.pk, "revision": 1}
    assert Product.objects.get(pk=product.pk).status == product.status  # the product stays


@pytest.mark.parametrize("old,new", list(pairs(APPLICATION_STATUSES, repeat=2)))
def test_application_writer_moves_what_the_table_allows_and_nothing_else(old, new, reviewer):
    application = MerchantApplicationFactory(status=old)
    events = MerchantApplicationEvent.objects.filter(application=application)
    if (old, new) not in APPLICATION_MOVES:
        with pytest.raises(ApplicationError) as err, transaction.atomic():
            onboarding.merchant_application_transition(
                application, new, actor=reviewer, reason="r", now=NOW
            )
        assert err.value.code == "bad_state"
        assert MerchantApplication.objects.get(pk=application.pk).status == old
        assert not events.exists()
        return
    with transaction.atomic():
        onboarding.merchant_application_transition(
            application, new, actor=reviewer, reason="r", now=NOW,
            fields={"decided_at": NOW, "reviewer": reviewer},
        )
    stored = MerchantApplication.objects.get(pk=application.pk)
    assert (stored.status, stored.decided_at, stored.reviewer) == (new, NOW, reviewer)
    event = events.get()
    assert (event.from_status, event.to_status, event.actor, event.reason, event.at) == (
        old, new, reviewer, "r", NOW
    )


def test_a_decided_application_cannot_be_decided_again(merchant, reviewer):
    application = MerchantApplicationFactory(applicant=merchant, status="pending")
    onboarding.application_approve(application=application, actor=reviewer, now=NOW)
    for decide in (
        lambda: onboarding.application_approve(application=application, actor=reviewer),
        lambda: onboarding.application_reject(application=application, actor=reviewer, reason="x"),
    ):
        with pytest.raises(ApplicationError) as err:
            decide()
        assert err.value.code == "bad_state"
    assert list(application.events.values_list("to_status", flat=True)) == ["approved"]
    assert MerchantApplication.objects.get(pk=application.pk).status == "approved"


def test_a_decided_revision_cannot_be_decided_again(store, leaf, reviewer):
    product, change = _listed_with_change(store, leaf, reviewer)
    svc.product_revision_reject(revision=change, actor=reviewer, reason="主图不清晰")
    before = ProductEvent.objects.filter(product=product).count()
    with pytest.raises(ApplicationError) as err:
        svc.product_revision_approve(revision=change, actor=reviewer)
    assert err.value.code == "bad_state"
    assert ProductEvent.objects.filter(product=product).count() == before
    assert ProductRevision.objects.get(pk=change.pk).status == "rejected"


def test_a_change_has_one_timeline_row_per_move_with_the_revision(store, leaf, reviewer):
    product, change = _listed_with_change(store, leaf, reviewer)
    svc.product_revision_approve(revision=change, actor=reviewer, reason="ok")
    rows = list(
        ProductEvent.objects.filter(product=product, data__revision_id=change.pk)
        .values_list("from_status", "to_status")
    )
    assert rows == [("draft", "in_review"), ("in_review", "approved")]
    assert Product.objects.get(pk=product.pk).status == "listed"


def test_a_first_listing_has_one_row_per_move_the_products(store, leaf, reviewer):
    product = _new_product(store, leaf)
    revision = svc.product_submit(product=product, actor=store.merchant)
    svc.product_revision_reject(revision=revision, actor=reviewer, reason="主图不清晰")
    rows = list(product.events.values_list("from_status", "to_status", "data"))
    assert rows == [("", "draft", {}), ("draft", "in_review", {}), ("in_review", "rejected", {})]
    revision.refresh_from_db()
    assert (revision.status, revision.reviewer, revision.decision_reason) == (
        "rejected", reviewer, "主图不清晰"
    )


# --- labels ---------------------------------------------------------------------------------------
def test_event_labels_follow_the_model_that_moved():
    with translation.override("en"):
        assert ProductEvent(to_status="approved", data={"revision_id": 7}).to_status_label == "Approved"
        assert ProductEvent(from_status="in_review", to_status="listed").to_status_label == "Listed"
        assert ProductEvent(from_status="in_review").from_status_label == "In review"
        assert ProductEvent(from_status="", to_status="draft").from_status_label == ""
        event = MerchantApplicationEvent(from_status="pending", to_status="rejected")
        assert (event.from_status_label, event.to_status_label) == ("Pending review", "Rejected")


def test_product_timeline_shows_labels_not_codes(merchant_client, store, leaf, reviewer):
    product, change = _listed_with_change(store, leaf, reviewer)
    svc.product_revision_approve(revision=change, actor=reviewer)
    body = _english(merchant_client).get(f"/seller/products/{product.pk}/").content.decode()
    timeline = _timeline(body)
    for code in ("in_review", "draft", "approved", "listed"):
        assert f">{code}<" not in timeline
    assert ">In review<" in timeline and ">Listed<" in timeline
    assert f"Change #{change.number} · Approved" in timeline


def test_application_timeline_shows_labels_not_codes(merchant_client, merchant, reviewer):
    application = MerchantApplicationFactory(applicant=merchant, status="pending")
    MerchantApplicationEvent.objects.create(
        application=application, from_status="", to_status="pending", actor=merchant, at=NOW
    )
    onboarding.application_reject(application=application, actor=reviewer, reason="营业执照模糊")
    body = _english(merchant_client).get(reverse("seller:application")).content.decode()
    timeline = _timeline(body)
    assert ">pending<" not in timeline and ">rejected<" not in timeline
    assert ">Pending review<" in timeline and ">Rejected<" in timeline


# --- the message about the listed version ---------------------------------------------------------
def test_a_new_product_in_review_says_nothing_about_a_listed_version(merchant_client, store, leaf):
    product = _new_product(store, leaf)
    svc.product_submit(product=product, actor=store.merchant)
    url = f"/seller/products/{product.pk}/"
    assert "修改正在审核中" not in merchant_client.get(url).content.decode()
    assert LISTED_VERSION_MESSAGE not in _english(merchant_client).get(url).content.decode()


def test_a_listed_product_with_a_change_in_review_says_it_stays_on_sale(
    merchant_client, store, leaf, reviewer
):
    product, _change = _listed_with_change(store, leaf, reviewer)
    url = f"/seller/products/{product.pk}/"
    assert "修改正在审核中" in merchant_client.get(url).content.decode()
    assert LISTED_VERSION_MESSAGE in _english(merchant_client).get(url).content.decode()


# --- the reviewer's page of an application ---------------------------------------------------------
def test_application_admin_page_shows_a_read_only_labelled_timeline(reviewer_client, reviewer):
    application = MerchantApplicationFactory(status="pending")
    MerchantApplicationEvent.objects.create(
        application=application, from_status="", to_status="pending",
        actor=application.applicant, reason="提交申请", at=NOW,
    )
    onboarding.application_reject(application=application, actor=reviewer, reason="营业执照模糊")
    url = f"/admin/shop/merchantapplication/{application.pk}/change/"
    for english in (False, True):
        body = (_english(reviewer_client) if english else reviewer_client).get(url)
        body = body.content.decode()
        assert "object (" not in body
        assert "Add another" not in body and "添加另一个" not in body
        assert 'name="created_at' not in body  # shown, not editable
        assert "营业执照模糊" in body
    assert ">Pending review<" in body and ">Rejected<" in body
    assert ">pending<" not in body and ">rejected<" not in body
