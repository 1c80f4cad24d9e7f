"""Paid-promotion rules: the transition table move by move, the kind and the deposit
requirement, the spend cap and the derived rates (zero denominators are None, shown "—")."""

from decimal import Decimal

import pytest

from common.workflows import can_move
from promotions.rules import ads as rules

D = Decimal
STATUSES = ["pending", "running", "ended", "rejected", "cancelled"]
ALLOWED = {("pending", "running"), ("pending", "rejected"), ("pending", "cancelled"),
           ("running", "running"), ("running", "ended")}


@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_every_move_of_the_table(old, new):
    assert can_move(rules.PROMOTION_ORDER_TRANSITIONS, old, new) == ((old, new) in ALLOWED)


@pytest.mark.parametrize("subject, has_products, kind, problem", [
    ("video", True, "shop_work", ""),
    ("video", True, "fans_headline", "needs_shop_work"),
    ("video", False, "fans_headline", ""),
    ("video", False, "shop_work", "shop_work_needs_products"),
    ("live", True, "fans_headline", ""),
    ("live", False, "shop_work", "shop_work_needs_products"),
])
def test_kind_fits_what_is_promoted(subject, has_products, kind, problem):
    assert rules.kind_problem(subject=subject, has_products=has_products, kind=kind) == problem


def test_other_platform_products_need_the_promotion_deposit():
    assert rules.deposit_problem(promotes_other_platform=False, deposit_balance=D("0"),
                                 required=D("500")) == ""
    assert rules.deposit_problem(promotes_other_platform=True, deposit_balance=D("499.99"),
                                 required=D("500")) == "deposit_missing"
    assert rules.deposit_problem(promotes_other_platform=True, deposit_balance=D("500"),
                                 required=D("500")) == ""


def test_spend_is_capped_at_what_the_budget_has_left_and_nothing_after_the_end():
    assert rules.spend_to_count(D("30"), budget=D("100"), spent=D("50"), running=True) == D("30")
    assert rules.spend_to_count(D("80"), budget=D("100"), spent=D("50"), running=True) == D("50")
    assert rules.spend_to_count(D("80"), budget=D("100"), spent=D("100"), running=True) == 0
    assert rules.spend_to_count(D("10"), budget=D("100"), spent=D("0"), running=False) == 0


def test_derived_rates_and_their_zero_denominators():
    assert rules.cost_per_fan(D("100.00"), 3) == D("33.33")
    assert rules.cost_per_fan(D("100.00"), 0) is None
    assert rules.cost_per_fan(D("0.00"), 0) is None
    assert rules.cover_click_rate(120, 1000) == D("12.00")
    assert rules.cover_click_rate(0, 0) is None
    assert rules.cover_click_rate(5, 0) is None


def test_duration_choices_from_a_setting_that_may_be_garbage():
    assert rules.duration_choices([24, "12", 0, -6, True, "x", 24]) == [12, 24]
    assert rules.duration_choices("24", fallback=(6,)) == [6]
    assert rules.duration_choices([], fallback=(24,)) == [24]


def test_budget_bounds():
    assert rules.budget_problem(D("29.99"), low=D("30"), high=D("100")) == "too_low"
    assert rules.budget_problem(D("30"), low=D("30"), high=D("100")) == ""
    assert rules.budget_problem(D("100.01"), low=D("30"), high=D("100")) == "too_high"
