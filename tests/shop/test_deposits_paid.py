""""Deposit paid" (保证金已缴足) is one answer (`shop.selectors.deposits.deposits_paid`):
campaign sign-ups and lightning purchase both read it, so a store is never paid for one
and short for the other."""

from decimal import Decimal

import pytest

from promotions.selectors.campaigns import campaign_requirements
from promotions.selectors.lightning import lightning_conditions
from shop.models import DepositAccount
from shop.rules import deposits as rules
from shop.selectors.deposits import deposits_paid
from tests.factories import StoreFactory

D = Decimal


def _account(required, balance, shortfall="0", closed=False):
    return {"required": D(required), "balance": D(balance), "shortfall": D(shortfall),
            "closed": closed}


def test_deposits_fully_paid():
    assert rules.deposits_fully_paid({"store": _account("500", "500")})
    assert rules.deposits_fully_paid({"store": _account("500", "600"),
                                      "promotion": _account("0", "0")})
    assert not rules.deposits_fully_paid({})
    assert not rules.deposits_fully_paid({"promotion": _account("0", "0")})
    assert not rules.deposits_fully_paid({"store": _account("500", "300", "200")})
    assert not rules.deposits_fully_paid({"store": _account("500", "400")})  # grace period
    assert not rules.deposits_fully_paid({"store": _account("500", "500", closed=True)})
    assert not rules.deposits_fully_paid({"store": _account("500", "500"),
                                          "promotion": _account("1000", "0", "1000")})


def test_what_is_missing_counts_open_deposits_only():
    assert rules.deposits_missing({"store": _account("500", "400"),
                                   "promotion": _account("1000", "0", "1000"),
                                   "old": _account("300", "0", closed=True)}) == D("1100")
    assert rules.deposits_missing({"store": _account("500", "900")}) == D("0")


@pytest.mark.django_db
@pytest.mark.parametrize(("accounts", "paid"), [
    ([], False),  # no store deposit held at all
    ([("store", "500", "400", "0", None)], False),  # short, not yet restricted (grace)
    ([("store", "500", "500", "0", None)], True),
    ([("store", "500", "500", "0", None), ("promotion", "1000", "0", "1000", "now")], False),
])
def test_campaigns_and_lightning_agree(merchant, reviewer, accounts, paid):
    from django.utils import timezone

    from tests.promotions.campaign_factories import make_campaign

    now = timezone.now()
    store = StoreFactory(merchant=merchant)
    for kind, required, balance, shortfall, since in accounts:
        DepositAccount.objects.create(store=store, kind=kind, required_amount=D(required),
                                      balance=D(balance), shortfall=D(shortfall),
                                      restricted_since=now if since else None)
    assert deposits_paid(store).paid is paid
    campaign = make_campaign(reviewer, require_deposit_paid=True)
    [deposit] = [r for r in campaign_requirements(campaign, store, now) if r.code == "deposit"]
    [lightning] = [c for c in lightning_conditions(store, now) if c.code == "deposit_paid"]
    assert deposit.met is paid
    assert lightning.met is paid
