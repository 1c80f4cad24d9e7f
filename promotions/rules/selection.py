"""The selection center, pure: the offer's and the commission's transition tables, the
rate bounds, what a promoter earns per item, and a commission's amount on an order's
lines (followed by the money refunded)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from common.money import ZERO, to_money, to_places

OFFER_TRANSITIONS = {
    "active": {"withdrawn"},
    "withdrawn": set(),
}

COMMISSION_TRANSITIONS = {
    "pending": {"settled", "reversed"},
    "settled": {"reversed"},  # refunded in full after settlement
    # only a refund that failed at the provider brings a reversed commission back
    "reversed": {"pending", "settled"},
}

RATE_PLACES = Decimal("0.0001")


def rate_parse(value) -> Decimal | None:
    """A rate typed as a percentage ("20", "12.5") → Decimal("0.2"), ("0.125"); None when
    it is not a number with at most two decimals of a percent."""
    try:
        percent = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        return None
    if not percent.is_finite():
        return None
    rate = percent / 100
    if rate != to_places(rate, RATE_PLACES):
        return None
    return to_places(rate, RATE_PLACES)


def rate_within(rate: Decimal, low: Decimal, high: Decimal) -> bool:
    return low <= rate <= high


def earn_per_item(price, rate) -> Decimal:
    """"+¥赚XX": what a promoter earns on one item sold at `price`."""
    return to_money(Decimal(price) * Decimal(rate))


def commission_due(lines: list[tuple[Decimal, Decimal]], gross: Decimal
                   ) -> tuple[Decimal, Decimal]:
    """(base, amount) of a commission on an order's lines, each (net paid, rate). When
    the order's money left (`gross`: paid less refunded) is below the lines' total — a
    refund that named no line — the commission follows the money, as the service fee does."""
    base = sum((to_money(net) for net, _rate in lines), ZERO)
    amount = sum((to_money(Decimal(net) * Decimal(rate)) for net, rate in lines), ZERO)
    gross = max(to_money(gross), ZERO)
    if base > gross:
        amount = to_money(amount * gross / base) if base > 0 else ZERO
        base = gross
    return base, amount


def reversal_due(*, refund: Decimal, rate: Decimal, remaining: Decimal) -> Decimal:
    """What a refund after settlement takes back from the promoter: the refund at the
    commission's rate, never more than is left of it."""
    if remaining <= 0 or refund <= 0:
        return ZERO
    return min(to_money(Decimal(refund) * Decimal(rate)), to_money(remaining))


def effective_rate(base: Decimal, amount: Decimal) -> Decimal:
    if base <= 0:
        return Decimal("0")
    return to_places(Decimal(amount) / Decimal(base), RATE_PLACES)
