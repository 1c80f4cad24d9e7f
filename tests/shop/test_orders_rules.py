"""The pure order rules: every allowed and forbidden move, clocks, money, tracking."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.models import Order
from shop.rules import orders as rules

ALLOWED = {
    ("pending_payment", "paid"), ("pending_payment", "cancelled"),
    ("paid", "shipped"), ("paid", "closed"),
    ("shipped", "signed"), ("shipped", "completed"), ("shipped", "closed"),
    ("signed", "completed"), ("signed", "closed"),
}


def test_rules_table_covers_every_model_status():
    assert set(rules.ORDER_TRANSITIONS) == set(Order.Status.values)


@pytest.mark.parametrize("old", Order.Status.values)
@pytest.mark.parametrize("new", Order.Status.values)
def test_every_move_is_allowed_or_forbidden_as_the_table_says(old, new):
    assert rules.order_can_move(old, new) is ((old, new) in ALLOWED)


def test_clock_fields_on_enter():
    now = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
    cfg = {"pay_within_minutes": 30, "ship_within_hours": 48, "pickup_within_hours": 72,
           "complete_after_signing_days": 7}
    assert rules.clock_fields_on_enter("pending_payment", now, cfg) == {
        "pay_by": now + timedelta(minutes=30)}
    paid = rules.clock_fields_on_enter("paid", now, cfg)
    assert paid["ship_by"] == now + timedelta(hours=48)
    assert paid["pickup_by"] == now + timedelta(hours=72)
    assert paid["pay_by"] is None and paid["paid_at"] == now
    assert rules.clock_fields_on_enter("shipped", now, cfg) == {"shipped_at": now, "ship_by": None}
    assert rules.clock_fields_on_enter("signed", now, cfg)["complete_by"] == now + timedelta(days=7)
    assert rules.clock_fields_on_enter("completed", now, cfg)["complete_by"] is None
    assert rules.clock_fields_on_enter("cancelled", now, cfg)["pay_by"] is None
    closed = rules.clock_fields_on_enter("closed", now, cfg)
    assert closed == {"ship_by": None, "pickup_by": None, "complete_by": None}


def test_shipping_fee_is_the_highest_fee_charged_once():
    assert rules.order_shipping_fee([]) == Decimal("0.00")
    assert rules.order_shipping_fee([(True, Decimal("8"))]) == Decimal("0.00")
    assert rules.order_shipping_fee(
        [(False, Decimal("6.00")), (False, Decimal("10.00")), (True, Decimal("20"))]
    ) == Decimal("10.00")


def test_totals():
    totals = rules.order_totals([Decimal("59.00"), Decimal("19.90")], Decimal("6.00"))
    assert totals == {"goods_amount": Decimal("78.90"), "shipping_fee": Decimal("6.00"),
                      "discount_amount": Decimal("0.00"), "total_amount": Decimal("84.90")}
    assert rules.order_totals([Decimal("5")], Decimal("0"), Decimal("9"))["total_amount"] == 0


@given(
    st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2),
             max_size=10),
    st.decimals(min_value=0, max_value=Decimal("50"), places=2),
)
def test_total_is_goods_plus_shipping(amounts, fee):
    totals = rules.order_totals(amounts, fee)
    assert totals["total_amount"] == sum(amounts, Decimal("0")) + fee


def test_address_missing_fields():
    assert rules.address_missing_fields(None) == list(rules.ADDRESS_FIELDS)
    full = dict.fromkeys(rules.ADDRESS_FIELDS, "x")
    assert rules.address_missing_fields(full) == []
    assert rules.address_missing_fields({**full, "phone": "  "}) == ["phone"]


@pytest.mark.parametrize("current,incoming,expected", [
    ("", "picked_up", "picked_up"),
    ("picked_up", "in_transit", "in_transit"),
    ("in_transit", "signed", "signed"),
    ("signed", "in_transit", "signed"),
    ("refused", "picked_up", "refused"),
    ("refused", "returned", "returned"),
])
def test_tracking_status_after(current, incoming, expected):
    assert rules.tracking_status_after(current, incoming) == expected


@pytest.mark.parametrize("value,ok", [(1, True), (5, True), (0, False), (6, False),
                                      (3.5, False), (True, False), ("4", False)])
def test_rating_value_valid(value, ok):
    assert rules.rating_value_valid(value) is ok


def test_week_starts_cover_the_window_with_mondays():
    now = datetime(2025, 3, 5, 12, 0)  # a Wednesday
    weeks = rules.week_starts(now, 14)
    assert all(w.weekday() == 0 for w in weeks)
    assert weeks[0] <= date(2025, 2, 20) < weeks[0] + timedelta(days=7)
    assert weeks[-1] == date(2025, 3, 3)
