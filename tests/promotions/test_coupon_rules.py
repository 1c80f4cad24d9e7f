"""The coupon rules, pure: transition tables, fit at the threshold boundary, scope, the
best choice and validity."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from promotions.rules.coupons import (
    CLAIM_TRANSITIONS,
    COUPON_TRANSITIONS,
    LIVE_SESSION_TRANSITIONS,
    Candidate,
    Terms,
    best_coupon,
    can_claim_move,
    claim_usable,
    claim_validity,
    coupon_discount,
    coupon_fits,
    terms_problems,
)

D = Decimal
T0 = datetime(2026, 1, 1, 12, 0)
MAN50_5 = Terms(kind="threshold", amount=D("5.00"), threshold=D("50.00"))


@pytest.mark.parametrize(("goods", "fits"), [
    ("49.99", False), ("50.00", True), ("50.01", True), ("0.00", False)])
def test_a_threshold_coupon_fits_from_the_threshold_on(goods, fits):
    lines = [(1, D(goods))]
    assert coupon_fits(MAN50_5, lines) is fits
    assert coupon_discount(MAN50_5, lines) == (D("5.00") if fits else 0)


def test_the_threshold_counts_the_lines_together():
    assert coupon_discount(MAN50_5, [(1, D("30.00")), (2, D("19.99"))]) == 0
    assert coupon_discount(MAN50_5, [(1, D("30.00")), (2, D("20.00"))]) == D("5.00")


def test_a_product_coupon_counts_only_its_products():
    terms = Terms(kind="threshold", amount=D("5.00"), threshold=D("50.00"),
                  product_ids=frozenset({1}))
    assert coupon_discount(terms, [(1, D("40.00")), (2, D("100.00"))]) == 0
    assert coupon_discount(terms, [(1, D("50.00")), (2, D("100.00"))]) == D("5.00")
    assert coupon_discount(terms, [(2, D("500.00"))]) == 0


def test_a_no_threshold_coupon_never_takes_more_than_the_goods_in_scope():
    terms = Terms(kind="no_threshold", amount=D("10.00"), threshold=D("0"),
                  product_ids=frozenset({1}))
    assert coupon_discount(terms, [(1, D("3.50")), (2, D("99.00"))]) == D("3.50")
    assert coupon_discount(terms, [(1, D("30.00"))]) == D("10.00")
    assert coupon_discount(terms, [(2, D("30.00"))]) == 0


def test_the_best_coupon_takes_the_most_off_then_expires_first():
    later, sooner = T0 + timedelta(days=5), T0 + timedelta(days=1)
    small = Candidate(1, Terms("no_threshold", D("3.00"), D("0")), sooner)
    big_late = Candidate(2, Terms("threshold", D("10.00"), D("100.00")), later)
    big_soon = Candidate(3, Terms("threshold", D("10.00"), D("80.00")), sooner)
    out_of_reach = Candidate(4, Terms("threshold", D("50.00"), D("200.00")), sooner)
    lines = [(1, D("120.00"))]
    assert best_coupon([small, big_late, big_soon, out_of_reach], lines) == (big_soon, D("10.00"))
    assert best_coupon([small, out_of_reach], [(1, D("99.00"))]) == (small, D("3.00"))
    assert best_coupon([out_of_reach], lines) is None
    assert best_coupon([], lines) is None


def test_validity_fixed_or_days_after_claiming():
    start, end = T0, T0 + timedelta(days=3)
    assert claim_validity(validity="fixed", claimed_at=T0 + timedelta(hours=5),
                          valid_from=start, valid_until=end, valid_days=None) == (start, end)
    assert claim_validity(validity="after_claim", claimed_at=T0, valid_from=None,
                          valid_until=None, valid_days=7) == (T0, T0 + timedelta(days=7))
    until = T0 + timedelta(days=1)
    assert claim_usable(status="unused", valid_from=T0, valid_until=until, now=T0)
    assert not claim_usable(status="unused", valid_from=T0, valid_until=until, now=until)
    assert not claim_usable(status="unused", valid_from=T0, valid_until=until,
                            now=T0 - timedelta(seconds=1))
    assert not claim_usable(status="used", valid_from=T0, valid_until=until, now=T0)


@pytest.mark.parametrize(("kind", "amount", "threshold", "problems"), [
    ("threshold", "5", "50", {}),
    ("threshold", "50", "50", {"threshold": "threshold_not_above_amount"}),
    ("threshold", "49.99", "50", {}),
    ("threshold", "5", None, {"threshold": "threshold_missing"}),
    ("threshold", "0", "50", {"amount": "amount_not_positive"}),
    ("no_threshold", "5", None, {}),
])
def test_terms_problems(kind, amount, threshold, problems):
    assert terms_problems(kind=kind, amount=D(amount),
                          threshold=D(threshold) if threshold else None) == problems


@pytest.mark.parametrize("table", [COUPON_TRANSITIONS, CLAIM_TRANSITIONS,
                                   LIVE_SESSION_TRANSITIONS])
def test_transition_tables_name_only_their_own_states(table):
    states = set(table)
    assert all(targets <= states for targets in table.values())


def test_every_claim_move_allowed_or_not():
    allowed = {("unused", "used"), ("unused", "expired"), ("used", "unused")}
    for old in CLAIM_TRANSITIONS:
        for new in CLAIM_TRANSITIONS:
            assert can_claim_move(old, new) is ((old, new) in allowed)
    assert COUPON_TRANSITIONS == {"active": {"stopped"}, "stopped": set()}
    assert LIVE_SESSION_TRANSITIONS == {"live": {"ended"}, "ended": set()}
