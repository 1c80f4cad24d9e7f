"""Coupon services against the database: creating with validation, copying, quantity
changes never below what is claimed, stopping, claiming within the quantity and the
per-buyer limit, dropping in the live room only while live, and expiry."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from common import config
from common.deadlines import registered
from common.errors import ApplicationError
from promotions.models import Coupon, CouponBuyerCount, CouponClaim
from promotions.services.coupons import (
    coupon_change_quantity,
    coupon_claim,
    coupon_copy,
    coupon_create,
    coupon_drop,
    coupon_stop,
)
from promotions.services.live import live_session_end, live_session_start
from promotions.sweeps import expire_coupon_claims
from tests.promotions.coupon_factories import coupon_terms, make_coupon
from tests.shop.order_factories import listed_sku, store_for

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def store(merchant):
    return store_for(merchant)


def refused(code, func, **kw):
    with pytest.raises(ApplicationError) as info:
        func(**kw)
    assert info.value.code == code, info.value.message
    return info.value


@pytest.mark.parametrize(("changes", "field", "code"), [
    ({"title": " "}, "title", "required"),
    ({"amount": "50.00"}, "threshold", "threshold_not_above_amount"),
    ({"amount": "0"}, "amount", "amount_not_positive"),
    ({"threshold": None}, "threshold", "threshold_missing"),
    ({"quantity": 0}, "quantity", "too_small"),
    ({"quantity": "x"}, "quantity", "invalid_number"),
    ({"per_buyer_limit": 11}, "per_buyer_limit", "too_large"),
    ({"quantity": 2, "per_buyer_limit": 3}, "per_buyer_limit", "limit_above_quantity"),
    ({"valid_days": 366}, "valid_days", "too_large"),
    ({"validity": "fixed"}, "valid_from", "required"),
    ({"scope": "products"}, "products", "no_products"),
])
def test_create_refuses_bad_terms_naming_the_field(store, changes, field, code):
    error = refused(code, coupon_create, store=store, actor=store.merchant,
                    data=coupon_terms(**changes))
    assert error.field == field
    assert not Coupon.objects.exists()


def test_claim_window_and_fixed_validity_are_checked(store):
    now = timezone.now()
    bad_window = coupon_terms(claim_ends_at=now - timedelta(hours=2))
    assert refused("claim_window", coupon_create, store=store, actor=store.merchant,
                   data=bad_window).field == "claim_ends_at"
    fixed = coupon_terms(validity="fixed", valid_from=now, valid_until=now - timedelta(days=1))
    assert refused("validity_window", coupon_create, store=store, actor=store.merchant,
                   data=fixed).field == "valid_until"
    too_long = coupon_terms(validity="fixed", valid_from=now,
                            valid_until=now + timedelta(days=365, seconds=1))
    refused("validity_too_long", coupon_create, store=store, actor=store.merchant,
            data=too_long)
    ok = coupon_create(store=store, actor=store.merchant, data=coupon_terms(
        validity="fixed", valid_from=now, valid_until=now + timedelta(days=365)))
    assert ok.valid_days is None and ok.events.get().reason_code == "promotions.coupon_created"


def test_limits_are_configuration(store):
    config.set_value("coupon.max_quantity", 5)
    refused("too_large", coupon_create, store=store, actor=store.merchant,
            data=coupon_terms(quantity=6))
    assert make_coupon(store, quantity=5).quantity == 5


def test_a_coupon_applies_to_own_products_of_the_store_only(store, other_merchant):
    mine = listed_sku(store).product
    theirs = listed_sku(store_for(other_merchant)).product
    refused("unknown_product", coupon_create, store=store, actor=store.merchant,
            data=coupon_terms(scope="products"), product_ids=[mine.pk, theirs.pk])
    coupon = make_coupon(store, scope="products", product_ids=[mine.pk])
    assert list(coupon.products.all()) == [mine]
    refused("not_yours", coupon_create, store=store, actor=other_merchant,
            data=coupon_terms())


def test_the_database_refuses_a_threshold_not_above_the_amount(store):
    coupon = make_coupon(store)
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.filter(pk=coupon.pk).update(threshold=D("5.00"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Coupon.objects.filter(pk=coupon.pk).update(claimed=101)


def test_copy_to_other_products_keeps_the_terms_and_nothing_claimed(store, buyer):
    a, b = listed_sku(store).product, listed_sku(store).product
    source = make_coupon(store, scope="products", product_ids=[a.pk], quantity=10)
    coupon_claim(coupon=source, actor=buyer)
    copy = coupon_copy(coupon=source, actor=store.merchant, product_ids=[b.pk])
    assert copy.pk != source.pk and copy.copied_from == source
    assert list(copy.products.all()) == [b] and copy.claimed == 0
    assert (copy.amount, copy.threshold, copy.quantity) == (D("5.00"), D("50.00"), 10)
    assert copy.events.get().reason_params == {"source": source.pk}
    whole_store = coupon_copy(coupon=make_coupon(store), actor=store.merchant)
    assert whole_store.scope == "store" and not whole_store.products.exists()


def test_quantity_changes_never_go_below_what_is_claimed(store, buyer, other_buyer):
    coupon = make_coupon(store, quantity=5)
    coupon_claim(coupon=coupon, actor=buyer)
    coupon_claim(coupon=coupon, actor=other_buyer)
    error = refused("below_claimed", coupon_change_quantity, coupon=coupon, quantity=1,
                    actor=store.merchant)
    assert error.field == "quantity"
    coupon = coupon_change_quantity(coupon=coupon, quantity=2, actor=store.merchant)
    assert coupon.quantity == 2 and coupon.remaining == 0
    event = coupon.events.order_by("pk").last()
    assert event.reason_code == "promotions.coupon_quantity_changed"
    assert event.reason_params == {"old": 5, "new": 2}
    coupon = coupon_change_quantity(coupon=coupon, quantity=8, actor=store.merchant)
    assert coupon.quantity == 8


def test_another_merchant_cannot_change_or_stop_it(store, other_merchant):
    coupon = make_coupon(store)
    refused("not_yours", coupon_change_quantity, coupon=coupon, quantity=3,
            actor=other_merchant)
    refused("not_yours", coupon_stop, coupon=coupon, actor=other_merchant)
    assert Coupon.objects.get(pk=coupon.pk).status == "active"


def test_stopping_ends_claiming_once_and_claims_stay(store, buyer, other_buyer):
    coupon = make_coupon(store)
    claim = coupon_claim(coupon=coupon, actor=buyer)
    coupon_stop(coupon=coupon, actor=store.merchant)
    refused("bad_state", coupon_stop, coupon=coupon, actor=store.merchant)
    refused("coupon_stopped", coupon_claim, coupon=coupon, actor=other_buyer)
    refused("bad_state", coupon_change_quantity, coupon=coupon, quantity=9,
            actor=store.merchant)
    stopped = Coupon.objects.get(pk=coupon.pk)
    assert stopped.status == "stopped" and stopped.stopped_at is not None
    assert [(e.from_status, e.to_status) for e in stopped.events.order_by("pk")] == [
        ("", "active"), ("active", "stopped")]
    assert CouponClaim.objects.get(pk=claim.pk).status == "unused"


def test_claiming_counts_against_quantity_and_per_buyer_limit(store, buyer, other_buyer,
                                                               make_user):
    coupon = make_coupon(store, quantity=3, per_buyer_limit=2)
    first = coupon_claim(coupon=coupon, actor=buyer)
    coupon_claim(coupon=coupon, actor=buyer)
    refused("limit_reached", coupon_claim, coupon=coupon, actor=buyer)
    coupon_claim(coupon=coupon, actor=other_buyer)
    refused("sold_out", coupon_claim, coupon=coupon, actor=make_user("third", "buyer"))
    coupon.refresh_from_db()
    assert coupon.claimed == 3 and CouponClaim.objects.count() == 3
    assert CouponBuyerCount.objects.get(coupon=coupon, buyer=buyer).claimed == 2
    assert first.status == "unused" and first.valid_until == first.claimed_at + timedelta(days=7)
    assert first.events.get().to_status == "unused"


def test_claiming_only_inside_the_window_and_not_ones_own(store, buyer):
    now = timezone.now()
    coupon = make_coupon(store, claim_starts_at=now + timedelta(hours=1),
                         claim_ends_at=now + timedelta(hours=2))
    refused("claim_not_open", coupon_claim, coupon=coupon, actor=buyer, now=now)
    refused("claim_closed", coupon_claim, coupon=coupon, actor=buyer,
            now=now + timedelta(hours=2))
    assert coupon_claim(coupon=coupon, actor=buyer, now=now + timedelta(hours=1))
    refused("own_store", coupon_claim, coupon=coupon, actor=store.merchant,
            now=now + timedelta(hours=1))


def test_a_live_room_coupon_drops_only_while_live(store, buyer):
    coupon = make_coupon(store, channel="live_drop")
    refused("not_live", coupon_claim, coupon=coupon, actor=buyer)
    refused("not_live", coupon_drop, coupon=coupon, actor=store.merchant)
    session = live_session_start(store=store, actor=store.merchant, title="今晚上新")
    refused("already_live", live_session_start, store=store, actor=store.merchant)
    coupon = coupon_drop(coupon=coupon, actor=store.merchant)
    assert coupon.live_session == session and coupon.dropped_at is not None
    assert coupon_claim(coupon=coupon, actor=buyer).status == "unused"
    live_session_end(session=session, actor=store.merchant)
    refused("bad_state", live_session_end, session=session, actor=store.merchant)
    refused("not_live", coupon_drop, coupon=coupon, actor=store.merchant)
    refused("not_live", coupon_claim, coupon=Coupon.objects.get(pk=coupon.pk),
            actor=buyer)
    assert [(e.from_status, e.to_status) for e in session.events.order_by("pk")] == [
        ("", "live"), ("live", "ended")]
    store_page = make_coupon(store)
    refused("not_live_coupon", coupon_drop, coupon=store_page, actor=store.merchant)


def test_another_merchants_live_session_does_not_count(store, other_merchant, buyer):
    live_session_start(store=store_for(other_merchant), actor=other_merchant)
    coupon = make_coupon(store, channel="live_drop")
    refused("not_live", coupon_drop, coupon=coupon, actor=store.merchant)
    refused("not_yours", coupon_drop, coupon=coupon, actor=other_merchant)


def test_unused_claims_expire_once_at_valid_until(store, buyer):
    now = timezone.now()
    coupon = make_coupon(store, per_buyer_limit=2, valid_days=1)
    early = coupon_claim(coupon=coupon, actor=buyer, now=now)
    later = coupon_claim(coupon=coupon, actor=buyer, now=now + timedelta(hours=1))
    assert "coupons.expire_claims" in registered()
    assert expire_coupon_claims(early.valid_until - timedelta(seconds=1)) == 0
    assert expire_coupon_claims(early.valid_until) == 1
    assert expire_coupon_claims(early.valid_until) == 0
    assert CouponClaim.objects.get(pk=early.pk).status == "expired"
    assert CouponClaim.objects.get(pk=later.pk).status == "unused"
    event = CouponClaim.objects.get(pk=early.pk).events.order_by("pk").last()
    assert (event.to_status, event.actor, event.reason_code) == (
        "expired", None, "promotions.claim_expired")
