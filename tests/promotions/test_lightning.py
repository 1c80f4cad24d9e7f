"""Lightning purchase (闪电购): the conditions of turning it on, one by one; quick listings
during a live session (category limits, the screening deciding between the cart at once
and the review queue, nothing half-written on a refusal); ending a listing; the
reviewers' spot checks."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from common import config
from common.errors import ApplicationError
from compliance.enforcement.models import CreditScore
from compliance.models import ProductReview
from compliance.screening.runtime import forget_compiled
from promotions.models import (
    LightningListing,
    LightningListingEvent,
    LightningStore,
    LightningStoreEvent,
    LiveCartItem,
    LiveSession,
)
from promotions.rules import lightning as rules
from promotions.selectors.lightning import lightning_category_choices, lightning_conditions
from promotions.services import lightning as services
from promotions.services import live as live_services
from shop.models import Product, ProductRevision, Store
from shop.services.products import product_revision_approve
from tests.promotions.lightning_factories import (
    CLOTHING,
    JADE,
    NEEDS_QUALIFICATION,
    NOT_LIGHTNING,
    category,
    eligible_store,
    lightning_session,
    load_reference_data,
    quick_listing,
    switched_on,
)
from tests.promotions.live_factories import deposit_shortfall, selling_session
from tests.promotions.test_live_cart import credit_cart_restriction, room
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    load_reference_data()
    yield
    forget_compiled()


@pytest.fixture
def store(merchant):
    return eligible_store(merchant)


def failing_codes(store):
    return [c.code for c in lightning_conditions(store) if not c.met]


# --- rules ------------------------------------------------------------------------------
FACTS = rules.StoreFacts(store_open=True, deposit_paid=True, deposit_missing=Decimal("0"),
                         cart_restrictions=(),
                         credit_score=90, days_open=30)
LIMITS = rules.Thresholds(min_credit_score=90, min_days_open=30)


@pytest.mark.parametrize(("change", "failing"), [
    ({}, []),
    ({"store_open": False}, [rules.STORE_OPEN]),
    ({"deposit_paid": False}, [rules.DEPOSIT_PAID]),
    ({"cart_restrictions": ("restricted",)}, [rules.CART_NOT_RESTRICTED]),
    ({"credit_score": 89}, [rules.CREDIT_SCORE]),
    ({"days_open": 29}, [rules.STORE_AGE]),
])
def test_each_condition_on_its_own(change, failing):
    met = rules.conditions_met(FACTS.__class__(**{**FACTS.__dict__, **change}), LIMITS)
    assert list(met) == list(rules.CONDITIONS)
    assert [code for code, ok in met.items() if not ok] == failing


def test_days_open_counts_whole_days_and_never_goes_negative():
    now = timezone.now()
    assert rules.days_open(now - timedelta(days=30, hours=23), now) == 30
    assert rules.days_open(now + timedelta(hours=1), now) == 0


def node(status="", lightning=None, base_only=False, invitation=False):
    return SimpleNamespace(status=status, lightning_purchase=lightning,
                           lightning_base_only=base_only, invitation_only=invitation)


@pytest.mark.parametrize(("chain", "leaf", "base", "problem"), [
    ([node(lightning=True), node(), node()], True, False, ""),
    ([node(lightning=True), node(), node()], False, False, rules.CATEGORY_NOT_LEAF),
    ([node(), node(), node()], True, False, rules.CATEGORY_NOT_LIGHTNING),
    ([node(lightning=True), node(lightning=False), node()], True, False,
     rules.CATEGORY_NOT_LIGHTNING),
    ([node(lightning=True), node(status="not_open"), node()], True, False,
     rules.CATEGORY_NOT_OPEN),
    ([node(lightning=True), node(base_only=True), node()], True, False,
     rules.CATEGORY_BASE_ONLY),
    ([node(lightning=True), node(base_only=True), node()], True, True, ""),
    ([node(lightning=True), node(base_only=True), node(invitation=True, status="open")], True,
     True, rules.CATEGORY_NOT_OPEN),
])
def test_which_categories_take_a_lightning_listing(chain, leaf, base, problem):
    assert rules.lightning_category_problem(chain, is_leaf=leaf, industry_base=base) == problem


# --- the conditions, one by one ---------------------------------------------------------
def test_an_eligible_store_turns_it_on_with_an_event(store):
    assert failing_codes(store) == []
    switch = services.lightning_switch_set(store=store, enabled=True, actor=store.merchant)
    assert switch.status == "on"
    event = LightningStoreEvent.objects.get(switch=switch)
    assert (event.from_status, event.to_status, event.actor) == ("off", "on", store.merchant)
    assert event.reason_code == "promotions.lightning_turned_on"
    services.lightning_switch_set(store=store, enabled=False, actor=store.merchant)
    assert LightningStore.objects.get(store=store).status == "off"
    assert LightningStoreEvent.objects.filter(switch=switch).count() == 2


def _refused(store, code):
    with pytest.raises(ApplicationError) as exc:
        services.lightning_switch_set(store=store, enabled=True, actor=store.merchant)
    assert exc.value.code == "not_eligible" and exc.value.extra["failing"] == [code]
    assert not LightningStore.objects.filter(store=store, status="on").exists()
    assert not LightningStoreEvent.objects.exists()


def test_a_closed_store_may_not(store):
    Store.objects.filter(pk=store.pk).update(status=Store.Status.CLOSED)
    store.refresh_from_db()
    _refused(store, rules.STORE_OPEN)


def test_a_deposit_shortfall_refuses_it(store):
    deposit_shortfall(store, since=timezone.now())
    assert failing_codes(store) == [rules.DEPOSIT_PAID]
    value = next(c.value for c in lightning_conditions(store) if c.code == rules.DEPOSIT_PAID)
    assert "100" in value
    _refused(store, rules.DEPOSIT_PAID)


def test_a_cart_restriction_from_the_credit_score_refuses_it(store):
    credit_cart_restriction(store)
    assert failing_codes(store) == [rules.CART_NOT_RESTRICTED]
    _refused(store, rules.CART_NOT_RESTRICTED)


def test_a_credit_score_below_the_threshold_refuses_it(store, settings):
    CreditScore.objects.create(store=store, score=89, year=timezone.localdate().year)
    assert failing_codes(store) == [rules.CREDIT_SCORE]
    _refused(store, rules.CREDIT_SCORE)
    CreditScore.objects.filter(store=store).update(score=90)
    assert failing_codes(store) == []


def test_a_store_too_young_is_refused_and_the_threshold_is_configuration(merchant):
    young = eligible_store(merchant, days=29)
    assert failing_codes(young) == [rules.STORE_AGE]
    _refused(young, rules.STORE_AGE)
    config.set_value("lightning.min_store_days", 29)
    assert failing_codes(young) == []


def test_someone_else_cannot_switch_a_store(store, other_merchant):
    with pytest.raises(ApplicationError) as exc:
        services.lightning_switch_set(store=store, enabled=True, actor=other_merchant)
    assert exc.value.code == "not_yours"


# --- quick listings ---------------------------------------------------------------------
def test_a_clean_listing_is_on_sale_in_the_cart_at_once(store, buyer_api):
    session = lightning_session(store)
    listing = quick_listing(session, price="39.90", stock=5)
    product = Product.objects.get(pk=listing.product_id)
    assert product.status == Product.Status.LISTED and product.store == store
    assert product.image and product.category.code == CLOTHING
    sku = product.skus.get()
    assert (sku.price, sku.stock) == (Decimal("39.90"), 5)
    assert listing.sku == sku and not listing.screening_hit and listing.status == "active"
    assert ProductRevision.objects.get(product=product).status == "approved"
    assert LiveCartItem.objects.filter(session=session, product=product).exists()
    assert product.pk in [row["product"] for row in room(buyer_api, session)["cart"]]
    event = LightningListingEvent.objects.get(listing=listing)
    assert (event.from_status, event.to_status) == ("", "active")
    assert event.reason_code == "promotions.lightning_listed"
    assert session.events.filter(reason_code="promotions.lightning_cart_added").exists()


def test_a_screening_hit_sends_it_to_the_review_queue(store, buyer_api, reviewer):
    session = lightning_session(store)
    listing = quick_listing(session, title="全网第一 加我微信")
    product = Product.objects.get(pk=listing.product_id)
    assert listing.screening_hit and product.status == Product.Status.IN_REVIEW
    review = ProductReview.objects.get(product=product, status="in_review")
    assert review.has_hits
    assert LightningListingEvent.objects.get(listing=listing).reason_code == \
        "promotions.lightning_to_review"
    # in the cart, but viewers see only listed products: not until a reviewer approves
    assert LiveCartItem.objects.filter(session=session, product=product).exists()
    assert product.pk not in [row["product"] for row in room(buyer_api, session)["cart"]]
    product_revision_approve(revision=review, actor=reviewer)
    assert product.pk in [row["product"] for row in room(buyer_api, session)["cart"]]


def test_only_categories_open_to_lightning_purchase(store):
    session = lightning_session(store)
    for code, error in [(NOT_LIGHTNING, "category_not_lightning"),
                        (JADE, "category_base_only"),
                        ("apparel.womens", "category_not_leaf"),
                        ("jewelry.jade.rough_jadeite", "category_not_open")]:
        with pytest.raises(ApplicationError) as exc:
            quick_listing(session, code=code)
        assert exc.value.code == error and exc.value.field == "category"
    assert not Product.objects.exists() and not LightningListing.objects.exists()
    choices = [pk for _group, rows in lightning_category_choices(store) for pk, _label in rows]
    assert category(CLOTHING).pk in choices
    assert category(JADE).pk not in choices and category(NOT_LIGHTNING).pk not in choices


def test_jade_is_open_to_jadeite_base_merchants(make_user):
    base = eligible_store(make_user("jade_base", "merchant"), industry_base=True)
    session = lightning_session(base)
    listing = quick_listing(session, title="和田玉手镯", code=JADE, price="888.00", stock=1)
    assert Product.objects.get(pk=listing.product_id).status == Product.Status.LISTED
    choices = [pk for _group, rows in lightning_category_choices(base) for pk, _label in rows]
    assert category(JADE).pk in choices


def _nothing_written(session):
    assert not Product.objects.exists()
    assert not LightningListing.objects.exists()
    assert not LightningListingEvent.objects.exists()
    assert not LiveCartItem.objects.filter(session=session).exists()


@pytest.mark.parametrize(("changes", "code"), [
    ({"title": "  "}, "required"),
    ({"title": "长" * 31}, "title_long"),
    ({"price": "0"}, "invalid_price"),
    ({"price": "abc"}, "invalid_price"),
    ({"price": "1.234"}, "invalid_price"),
    ({"price": "100000.00"}, "price_too_high"),
    ({"price": "1e30"}, "price_too_high"),
    ({"price": "NaN"}, "invalid_price"),
    ({"stock": 0}, "invalid_stock"),
    ({"stock": "x"}, "invalid_stock"),
    ({"stock": 10000}, "invalid_stock"),
    ({"photo": SimpleUploadedFile("photo.png", b"not an image", content_type="image/png")},
     "image_invalid"),
])
def test_bad_input_is_refused_and_nothing_is_written(store, changes, code):
    session = lightning_session(store)
    with pytest.raises(ApplicationError) as exc:
        quick_listing(session, **changes)
    assert exc.value.code == code
    _nothing_written(session)


def test_a_refusal_by_the_product_review_rules_leaves_no_product_behind(store):
    # lamps are open to lightning purchase but need a CCC certificate: shop's submission
    # refuses after the product was created, and the whole listing is undone
    session = lightning_session(store)
    with pytest.raises(ApplicationError) as exc:
        quick_listing(session, code=NEEDS_QUALIFICATION)
    assert exc.value.code == "qualification_missing"
    _nothing_written(session)


def test_no_listing_while_off_not_selling_ended_or_no_longer_eligible(store):
    session = selling_session(store)
    with pytest.raises(ApplicationError) as exc:
        quick_listing(session)
    assert exc.value.code == "lightning_off"
    switched_on(store)
    live_services.live_cart_set_enabled(session=session, enabled=False, actor=store.merchant)
    with pytest.raises(ApplicationError) as exc:
        quick_listing(session)
    assert exc.value.code == "cart_off"
    live_services.live_cart_set_enabled(session=session, enabled=True, actor=store.merchant)
    # turned on while eligible; a cart restriction since then: each listing checks again
    credit_cart_restriction(store)
    with pytest.raises(ApplicationError) as exc:
        quick_listing(session)
    assert exc.value.code == "not_eligible"
    assert exc.value.extra["failing"] == [rules.CART_NOT_RESTRICTED]
    _nothing_written(session)
    live_services.live_session_end(session=session, actor=store.merchant)
    with pytest.raises(ApplicationError) as exc:
        quick_listing(LiveSession.objects.get(pk=session.pk))
    assert exc.value.code == "not_live"


def test_another_merchant_cannot_list_in_my_session(store, other_merchant):
    session = lightning_session(store)
    with pytest.raises(ApplicationError) as exc:
        services.lightning_listing_create(
            session=session, actor=other_merchant, title="T恤", category_id=category(CLOTHING).pk,
            price="10", stock=1, photo=None)
    assert exc.value.code == "not_yours"


# --- ending -----------------------------------------------------------------------------
def test_ending_a_listing_takes_it_off_sale_and_out_of_the_cart(store, buyer_api):
    session = lightning_session(store)
    listing = quick_listing(session)
    ended = services.lightning_listing_end(listing=listing, actor=store.merchant)
    assert ended.status == "ended" and ended.ended_at is not None
    product = Product.objects.get(pk=listing.product_id)
    assert product.status == Product.Status.DELISTED
    assert product.delisted_cause == Product.DelistedCause.MERCHANT
    assert not LiveCartItem.objects.filter(session=session, product=product).exists()
    assert room(buyer_api, session)["cart"] == []
    event = LightningListingEvent.objects.filter(listing=listing).latest("pk")
    assert (event.from_status, event.to_status, event.reason_code) == (
        "active", "ended", "promotions.lightning_ended")
    with pytest.raises(ApplicationError) as exc:
        services.lightning_listing_end(listing=listing, actor=store.merchant)
    assert exc.value.code == "bad_state"


def test_a_listing_in_review_can_be_ended_too(store):
    session = lightning_session(store)
    listing = quick_listing(session, title="全网第一")
    services.lightning_listing_end(listing=listing, actor=store.merchant)
    assert LightningListing.objects.get(pk=listing.pk).status == "ended"
    assert not LiveCartItem.objects.filter(session=session).exists()


def test_ending_the_live_session_ends_its_listings(store):
    session = lightning_session(store)
    listing = quick_listing(session)
    live_services.live_session_end(session=session, actor=store.merchant)
    listing.refresh_from_db()
    assert listing.status == "ended"
    assert Product.objects.get(pk=listing.product_id).status == Product.Status.DELISTED
    assert LightningListingEvent.objects.filter(
        listing=listing, reason_code="promotions.lightning_session_ended").exists()


def test_another_merchant_cannot_end_my_listing(store, other_merchant):
    listing = quick_listing(lightning_session(store))
    with pytest.raises(ApplicationError) as exc:
        services.lightning_listing_end(listing=listing, actor=other_merchant)
    assert exc.value.code == "not_yours"
    assert LightningListing.objects.get(pk=listing.pk).status == "active"


# --- spot checks ------------------------------------------------------------------------
def test_a_spot_check_passes_or_takes_the_listing_down_with_a_reason(store, reviewer):
    session = lightning_session(store)
    first, second = quick_listing(session), quick_listing(session, title="另一件T恤")
    services.lightning_listing_spot_check(listing=first, actor=reviewer)
    first.refresh_from_db()
    assert first.spot_checked_by == reviewer and first.status == "active"
    with pytest.raises(ApplicationError) as exc:
        services.lightning_listing_take_down(listing=second, actor=reviewer, reason=" ")
    assert exc.value.code == "reason_required"
    services.lightning_listing_take_down(listing=second, actor=reviewer, reason="图片与实物不符")
    second.refresh_from_db()
    assert second.status == "taken_down" and second.spot_checked_by == reviewer
    product = Product.objects.get(pk=second.product_id)
    assert product.status == Product.Status.DELISTED
    assert product.delisted_cause == Product.DelistedCause.REVIEWER
    assert product.delisted_reason == "图片与实物不符"
    assert not LiveCartItem.objects.filter(product=product).exists()
    event = LightningListingEvent.objects.filter(listing=second).latest("pk")
    assert event.to_status == "taken_down" and "图片与实物不符" in event.reason_display


def test_the_pages_link_from_the_live_session(store, merchant_client):
    session = lightning_session(store)
    html = merchant_client.get(reverse("seller_promotions:live_session", args=[session.pk]))
    assert reverse("seller_promotions:lightning_session", args=[session.pk]) in html.content.decode()
