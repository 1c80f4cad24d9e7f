"""The pure rules of platform campaigns: the transition tables (every allowed and forbidden
move), the price and discount checks, DSR, categories, deposits, and how a campaign price
combines with another price."""

from decimal import Decimal

import pytest

from common.workflows import can_move
from promotions.models import Campaign, CampaignEntry
from promotions.rules import campaigns as rules

D = Decimal

CAMPAIGN_ALLOWED = {("scheduled", "running"), ("scheduled", "cancelled"), ("running", "ended")}
ENTRY_ALLOWED = {("pending", "accepted"), ("pending", "rejected"), ("pending", "withdrawn"),
                 ("pending", "expired"), ("accepted", "withdrawn")}


@pytest.mark.parametrize("old", Campaign.Status.values)
@pytest.mark.parametrize("new", Campaign.Status.values)
def test_campaign_moves(old, new):
    assert can_move(rules.CAMPAIGN_TRANSITIONS, old, new) is ((old, new) in CAMPAIGN_ALLOWED)


@pytest.mark.parametrize("old", CampaignEntry.Status.values)
@pytest.mark.parametrize("new", CampaignEntry.Status.values)
def test_sign_up_moves(old, new):
    assert can_move(rules.ENTRY_TRANSITIONS, old, new) is ((old, new) in ENTRY_ALLOWED)


@pytest.mark.parametrize(("price", "regular", "pct", "problem"), [
    ("0", "100", None, "not_positive"),
    ("-1", "100", 90, "not_positive"),
    ("100", "100", None, "not_below_regular"),
    ("99.99", "100", None, ""),
    ("90.00", "100", 90, ""),
    ("90.01", "100", 90, "discount_too_small"),
    ("16.91", "19.90", 85, ""),
    ("16.92", "19.90", 85, "discount_too_small"),  # 85% of 19.90 is 16.915
])
def test_price_problem(price, regular, pct, problem):
    assert rules.price_problem(D(price), D(regular), pct) == problem


@pytest.mark.parametrize(("regular", "pct", "highest"), [
    ("100.00", 90, "90.00"), ("19.90", 85, "16.91"), ("0.99", 50, "0.49"), ("5.00", None, None),
])
def test_the_highest_allowed_price_passes_and_a_cent_more_does_not(regular, pct, highest):
    got = rules.highest_allowed_price(D(regular), pct)
    assert got == (D(highest) if highest else None)
    if got is not None:
        assert rules.price_problem(got, D(regular), pct) == ""
        assert rules.price_problem(got + D("0.01"), D(regular), pct) == "discount_too_small"


DIMS = ("description", "service", "logistics")


def test_dsr_shortfalls():
    good = {"description": D("4.8"), "service": D("4.5"), "logistics": D("4.9"), "count": 3}
    assert rules.dsr_shortfalls(good, None, DIMS, 1) == []
    assert rules.dsr_shortfalls(good, D("4.5"), DIMS, 1) == []
    assert rules.dsr_shortfalls(good, D("4.6"), DIMS, 1) == ["service"]
    assert rules.dsr_shortfalls(good, D("4.5"), DIMS, 5) == list(DIMS)  # too few ratings
    none = {"description": None, "service": None, "logistics": None, "count": 0}
    assert rules.dsr_shortfalls(none, D("1"), DIMS, 1) == list(DIMS)


def test_category_eligible():
    assert rules.category_eligible([1, 2, 3], [])
    assert rules.category_eligible([1, 2, 3], [1])
    assert rules.category_eligible([1, 2, 3], [3, 9])
    assert not rules.category_eligible([1, 2, 3], [4])
    assert not rules.category_eligible([], [4])


def test_the_lower_price_wins():
    assert rules.price_with_campaign(D("100"), D("80")) == D("80")
    assert rules.price_with_campaign(D("70"), D("80")) is None
    assert rules.price_with_campaign(D("80"), D("80")) is None
