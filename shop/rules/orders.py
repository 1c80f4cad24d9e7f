"""Pure rules of orders, shipping and DSR. No ORM: tables and arithmetic only."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from common.money import ZERO, to_money

# Order statuses (see shop.models.Order.Status):
#   pending_payment → paid → shipped → signed → completed
#   pending_payment → cancelled (buyer, or the unpaid clock)
#   paid / shipped / signed → closed (refunded in full by an after-sale ruling)
#   shipped → completed: the buyer confirms receipt before the courier reports signing.
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending_payment": frozenset({"paid", "cancelled"}),
    "paid": frozenset({"shipped", "closed"}),
    "shipped": frozenset({"signed", "completed", "closed"}),
    "signed": frozenset({"completed", "closed"}),
    "completed": frozenset(),
    "cancelled": frozenset(),
    "closed": frozenset(),
}

ORDER_STATUSES = tuple(ORDER_TRANSITIONS)


def order_can_move(current: str, new: str) -> bool:
    return new in ORDER_TRANSITIONS.get(current, frozenset())


# --- clocks -----------------------------------------------------------------------------
def pay_deadline(created_at: datetime, minutes: int) -> datetime:
    return created_at + timedelta(minutes=minutes)


def ship_deadline(paid_at: datetime, hours: int) -> datetime:
    return paid_at + timedelta(hours=hours)


def pickup_deadline(paid_at: datetime, hours: int) -> datetime:
    return paid_at + timedelta(hours=hours)


def complete_deadline(signed_at: datetime, days: int) -> datetime:
    """Natural days: the same wall-clock time `days` later."""
    return signed_at + timedelta(days=days)


def clock_fields_on_enter(new: str, now: datetime, settings: dict) -> dict:
    """The timestamps and clocks an order gets when it enters `new`. `settings` holds
    pay_within_minutes, ship_within_hours, pickup_within_hours, complete_after_signing_days.
    A clock that no longer applies is cleared so no sweep picks the order up again."""
    if new == "pending_payment":
        return {"pay_by": pay_deadline(now, settings["pay_within_minutes"])}
    if new == "paid":
        return {
            "paid_at": now,
            "pay_by": None,
            "ship_by": ship_deadline(now, settings["ship_within_hours"]),
            "pickup_by": pickup_deadline(now, settings["pickup_within_hours"]),
        }
    if new == "shipped":
        return {"shipped_at": now, "ship_by": None}
    if new == "signed":
        return {
            "signed_at": now,
            "complete_by": complete_deadline(now, settings["complete_after_signing_days"]),
        }
    if new == "completed":
        return {"completed_at": now, "complete_by": None}
    if new == "cancelled":
        return {"cancelled_at": now, "pay_by": None}
    if new == "closed":
        return {"ship_by": None, "pickup_by": None, "complete_by": None}
    return {}


# --- money (rounding: common.money) -----------------------------------------------------
def order_shipping_fee(lines: list[tuple[bool, Decimal]]) -> Decimal:
    """Shipping fee of an order from its lines' (free_shipping, shipping_fee).

    One order from one store travels as one parcel, so the fee is charged once: the
    highest fee among the lines that do not ship free. All lines free → 0."""
    fees = [Decimal(fee) for free, fee in lines if not free]
    return to_money(max(fees, default=ZERO))


def order_totals(
    line_amounts: list[Decimal], shipping_fee: Decimal, discount: Decimal = Decimal("0")
) -> dict:
    """goods + shipping − discount, never below zero."""
    goods = to_money(sum((Decimal(a) for a in line_amounts), ZERO))
    total = to_money(max(goods + Decimal(shipping_fee) - Decimal(discount), ZERO))
    return {
        "goods_amount": goods,
        "shipping_fee": to_money(shipping_fee),
        "discount_amount": to_money(discount),
        "total_amount": total,
    }


def allocate_discount(discount: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """Spread an order's discount over its lines in proportion to their amounts, in whole
    cents, so that the shares add up to the discount and no share exceeds its line (a
    partial refund then returns what the buyer paid for that line). Cents left over by
    rounding go to the largest lines first (the earlier line on a tie)."""
    discount = to_money(discount)
    total = to_money(sum((Decimal(a) for a in amounts), ZERO))
    if discount <= ZERO or total <= ZERO:
        return [ZERO for _ in amounts]
    discount = min(discount, total)
    cents = int(discount * 100)
    line_cents = [int(to_money(a) * 100) for a in amounts]
    total_cents = sum(line_cents)
    shares = [c * cents // total_cents for c in line_cents]
    left = cents - sum(shares)
    for index in sorted(range(len(amounts)), key=lambda i: (-line_cents[i], i)):
        if left <= 0:
            break
        if shares[index] < line_cents[index]:
            shares[index] += 1
            left -= 1
    return [Decimal(share) / 100 for share in shares]


# --- input shapes -----------------------------------------------------------------------
ADDRESS_FIELDS = ("name", "phone", "province", "city", "district", "detail")
PHONE_RE = re.compile(r"^1\d{10}$|^0\d{2,3}-?\d{7,8}$")
# Taxpayer identification numbers are 15, 17, 18 or 20 characters (the 18-character one is
# the unified social credit code).
TAX_NUMBER_RE = re.compile(r"^(?:[0-9A-Z]{15}|[0-9A-Z]{17}|[0-9A-Z]{18}|[0-9A-Z]{20})$")
WAYBILL_RE = re.compile(r"^[A-Za-z0-9-]{6,40}$")

# Couriers accepted by the ship form and the courier webhook (code, name).
COURIERS = {
    "SF": _("SF Express"),
    "ZTO": _("ZTO Express"),
    "YTO": _("YTO Express"),
    "STO": _("STO Express"),
    "YD": _("Yunda Express"),
    "JD": _("JD Logistics"),
    "EMS": _("China Post EMS"),
    "JT": _("J&T Express"),
    "SANDBOX": _("Sandbox courier"),
}


def buyer_masked(username: str) -> str:
    """A buyer's account name as merchants see it (list, export): first and last
    character, the middle hidden. The shipping address names the recipient."""
    from shop.identity import mask_middle

    return mask_middle(username, 1, 1)


def courier_label(code: str) -> str:
    """The courier's name in the reader's language (an unknown code shows as itself)."""
    return COURIERS.get(code, code) if code else ""


def address_missing_fields(address) -> list[str]:
    if not isinstance(address, dict):
        return list(ADDRESS_FIELDS)
    return [f for f in ADDRESS_FIELDS if not str(address.get(f) or "").strip()]


# --- courier tracking -------------------------------------------------------------------
# What a courier event does to the order: the status it moves a shipped order to (or
# None), and whether it is a final word on the parcel that a later in-transit scan must not
# overwrite.
TRACKING_EFFECTS = {
    "picked_up": {"to": None, "final": False},
    "in_transit": {"to": None, "final": False},
    "signed": {"to": "signed", "final": True},
    "refused": {"to": None, "final": True},
    "returned": {"to": None, "final": True},
}


def tracking_status_after(current: str, incoming: str) -> str:
    """A final tracking status (signed, refused, returned) is not replaced by a late
    picked-up or in-transit scan."""
    if current and TRACKING_EFFECTS.get(current, {}).get("final") and not TRACKING_EFFECTS[
        incoming
    ]["final"]:
        return current
    return incoming


# --- DSR --------------------------------------------------------------------------------
DSR_DIMENSIONS = ("description", "service", "logistics")
RATING_MIN, RATING_MAX = 1, 5


def rating_value_valid(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and RATING_MIN <= value <= RATING_MAX


def dsr_round(value) -> Decimal | None:
    """DSR scores are shown with two decimals (4.86)."""
    if value is None:
        return None
    return to_money(str(value))  # two places, half up: the one rounding helper


def week_starts(now: datetime, window_days: int) -> list:
    """Monday dates of every week that overlaps the window ending at `now` (local date),
    oldest first: the x-axis of the DSR trend."""
    end = now.date()
    start = end - timedelta(days=window_days - 1)
    monday = start - timedelta(days=start.weekday())
    weeks = []
    while monday <= end:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks
