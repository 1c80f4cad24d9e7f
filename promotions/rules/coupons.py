"""Coupon rules, pure: the transition tables, whether a coupon fits an order, how much it
takes off, which one is best, and when a claimed coupon is valid."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

COUPON_TRANSITIONS = {
    "active": {"stopped"},
    "stopped": set(),
}

CLAIM_TRANSITIONS = {
    "unused": {"used", "expired"},
    "used": {"unused"},  # the order that used it was cancelled before payment
    "expired": set(),
}

LIVE_SESSION_TRANSITIONS = {
    "live": {"ended"},
    "ended": set(),
}


@dataclass(frozen=True)
class Terms:
    """What a coupon offers: `kind` threshold (满X减Y: `amount` off when the goods in scope
    reach `threshold`) or no_threshold (立减); `product_ids` None for the whole store."""

    kind: str
    amount: Decimal
    threshold: Decimal
    product_ids: frozenset | None = None


@dataclass(frozen=True)
class Candidate:
    claim_id: int
    terms: Terms
    valid_until: datetime


def eligible_amount(terms: Terms, lines: Iterable[tuple[int, Decimal]]) -> Decimal:
    """The goods amount the coupon counts: every line, or the lines of its products.
    `lines` are (product id, amount after any flash price)."""
    return sum((amount for product_id, amount in lines
                if terms.product_ids is None or product_id in terms.product_ids),
               Decimal("0"))


def coupon_discount(terms: Terms, lines: Sequence[tuple[int, Decimal]]) -> Decimal:
    """What the coupon takes off this order, 0 when it does not fit: nothing in scope, or
    (threshold kind) the goods in scope below the threshold. Never more than those goods."""
    base = eligible_amount(terms, lines)
    if base <= 0:
        return Decimal("0")
    if terms.kind == "threshold" and base < terms.threshold:
        return Decimal("0")
    return min(terms.amount, base)


def coupon_fits(terms: Terms, lines: Sequence[tuple[int, Decimal]]) -> bool:
    return coupon_discount(terms, lines) > 0


def best_coupon(candidates: Iterable[Candidate],
                lines: Sequence[tuple[int, Decimal]]) -> tuple[Candidate, Decimal] | None:
    """The candidate taking the most off; on a tie the one expiring first, then the oldest
    claim. None when none fits."""
    best = None
    for candidate in candidates:
        discount = coupon_discount(candidate.terms, lines)
        if discount <= 0:
            continue
        key = (-discount, candidate.valid_until, candidate.claim_id)
        if best is None or key < best[0]:
            best = (key, candidate, discount)
    return None if best is None else (best[1], best[2])


def claim_validity(*, validity: str, claimed_at: datetime, valid_from: datetime | None,
                   valid_until: datetime | None, valid_days: int | None
                   ) -> tuple[datetime, datetime]:
    """The window a claimed coupon can be used in: the coupon's fixed dates, or from the
    moment of claiming for `valid_days` days."""
    if validity == "fixed":
        return valid_from, valid_until
    return claimed_at, claimed_at + timedelta(days=valid_days)


def claim_usable(*, status: str, valid_from: datetime, valid_until: datetime,
                 now: datetime) -> bool:
    return status == "unused" and valid_from <= now < valid_until


def terms_problems(*, kind: str, amount: Decimal | None, threshold: Decimal | None
                   ) -> dict[str, str]:
    """Field → code for amounts that cannot make a coupon (the service turns codes into
    messages): the amount must be positive; a threshold coupon's threshold above it."""
    problems = {}
    if amount is None or amount <= 0:
        problems["amount"] = "amount_not_positive"
    if kind == "threshold":
        if threshold is None or threshold <= 0:
            problems["threshold"] = "threshold_missing"
        elif amount is not None and amount >= threshold:
            problems["threshold"] = "threshold_not_above_amount"
    return problems


def can_claim_move(old: str, new: str) -> bool:
    return new in CLAIM_TRANSITIONS.get(old, ())
