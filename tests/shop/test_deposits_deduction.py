"""Deductions for compensation (先行赔付): once per cause, never below the configured
floor, a shortfall covered from the store account first and restricting the store for
the rest; concurrent deductions with the same cause write one entry (PostgreSQL)."""

from decimal import Decimal

import pytest

from common import config
from common.errors import ApplicationError
from shop.models import DepositAccount, DepositEntry, StoreAccountEntry
from shop.selectors.stores import store_abilities
from shop.services.accounts import store_account_adjust
from shop.services.deposits import deposit_deduct
from tests.concurrency import postgres_only, run_threads
from tests.factories import UserFactory
from tests.shop.test_deposits_fixtures import (
    D,
    account,
    new_store,
    opened_store,
    pay_deposit,
    token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return opened_store(merchant)


def deduct(store, amount, cause_id="1", **kw):
    kw.setdefault("cause_type", "after_sale")
    kw.setdefault("actor", None)
    kw.setdefault("reason", "先行赔付")
    return deposit_deduct(store=store, amount=D(amount), cause_id=cause_id, **kw)


def test_deduction_takes_money_once_per_cause(store):
    pay_deposit(store, "500")
    entry = deduct(store, "120")
    assert entry.kind == DepositEntry.Kind.DEDUCTION
    assert entry.amount == D("-120.00") and entry.deducted == D("120.00")
    assert entry.balance_after == D("380.00") and entry.uncovered == 0
    again = deduct(store, "120")
    assert again.pk == entry.pk
    assert account(store).balance == D("380.00")
    assert DepositEntry.objects.filter(kind="deduction").count() == 1


def test_same_cause_on_the_other_deposit_or_another_cause_is_a_new_deduction(store):
    pay_deposit(store, "500")
    pay_deposit(store, "500", kind=DepositAccount.Kind.PROMOTION)
    deduct(store, "10", cause_id="7")
    deduct(store, "10", cause_id="7", account="promotion")
    deduct(store, "10", cause_id="7", cause_type="violation")
    deduct(store, "10", cause_id="8")
    assert DepositEntry.objects.filter(kind="deduction").count() == 4
    assert account(store).balance == D("470.00")


def test_deduction_stops_at_the_configured_floor_and_records_the_rest(store):
    pay_deposit(store, "500")
    entry = deduct(store, "800")
    assert entry.deducted == D("500.00") and entry.uncovered == D("300.00")
    assert entry.requested_amount == D("800.00") and entry.balance_after == 0
    config.set_value("deposit.max_negative_balance", "200")
    second = deduct(store, "300", cause_id="2")
    assert second.deducted == D("200.00") and second.uncovered == D("100.00")
    assert account(store).balance == D("-200.00")
    # At the floor nothing more can be taken, but the cause is still recorded once.
    third = deduct(store, "50", cause_id="3")
    assert third.amount == 0 and third.uncovered == D("50.00")
    assert deduct(store, "50", cause_id="3").pk == third.pk


def test_a_deduction_that_makes_a_shortfall_restricts_the_store(store):
    pay_deposit(store, "500")
    assert store_abilities(store).may_sell
    deduct(store, "200")
    abilities = store_abilities(store)
    assert not abilities.may_sell and not abilities.may_list and not abilities.may_withdraw
    assert abilities.shortfall == {"store": D("200.00")}
    assert "¥200.00" in str(abilities.reasons[0])
    pay_deposit(store, "200")
    assert store_abilities(store).may_sell


def test_a_shortfall_is_covered_from_the_store_account_first(store, reviewer):
    pay_deposit(store, "500")
    store_account_adjust(store=store, amount=D("150"), actor=reviewer, reason="测试", token=token())
    deduct(store, "200")
    # 150 moved from the store account; 50 is still missing.
    moved = DepositEntry.objects.get(kind="transfer")
    assert moved.amount == D("150.00")
    out = StoreAccountEntry.objects.get(kind="deposit_transfer")
    assert out.amount == D("-150.00") and out.cause_id == str(moved.pk)
    store.account.refresh_from_db()
    assert store.account.balance == 0
    state = account(store)
    assert state.balance == D("450.00") and state.shortfall == D("50.00")
    assert store_abilities(store).shortfall == {"store": D("50.00")}
    # New money on the store account goes to the shortfall and lifts the restriction.
    store_account_adjust(store=store, amount=D("80"), actor=reviewer, reason="测试", token=token())
    state = account(store)
    assert state.balance == D("500.00") and state.shortfall == 0
    assert store_abilities(store).may_sell
    store.account.refresh_from_db()
    assert store.account.balance == D("30.00")


@pytest.mark.parametrize("kwargs, code", [
    ({"amount": "0"}, "invalid_amount"),
    ({"amount": "-5"}, "invalid_amount"),
    ({"cause_id": ""}, "no_cause"),
    ({"cause_type": ""}, "no_cause"),
    ({"reason": " "}, "no_reason"),
    ({"account": "other"}, "unknown_deposit"),
])
def test_bad_deductions_are_refused(store, kwargs, code):
    args = {"amount": "10", "cause_id": "1", **kwargs}
    with pytest.raises(ApplicationError) as exc:
        deduct(store, args.pop("amount"), **args)
    assert exc.value.code == code
    assert not DepositEntry.objects.exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_deductions_with_the_same_cause_write_one_entry():
    shop_store = new_store(UserFactory())
    pay_deposit(shop_store, "1000")
    results, errors = run_threads(8, lambda _i: deduct(shop_store, "100", cause_id="42").pk)
    assert not errors
    assert len(set(results)) == 1
    assert DepositEntry.objects.filter(kind="deduction").count() == 1
    assert account(shop_store).balance == D("900.00")


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_deductions_with_different_causes_all_apply_in_order():
    shop_store = new_store(UserFactory())
    pay_deposit(shop_store, "1000")
    _results, errors = run_threads(8, lambda n: deduct(shop_store, "100", cause_id=str(n)))
    assert not errors
    entries = list(DepositEntry.objects.filter(account=account(shop_store)).order_by("pk"))
    running = Decimal("0")
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running
    assert account(shop_store).balance == D("200.00") == running


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_deductions_payments_and_account_credits_at_once_keep_every_ledger_whole():
    from shop.selectors.deposits import ledgers_reconcile

    shop_store = new_store(UserFactory())
    reviewer = UserFactory(role="reviewer")
    pay_deposit(shop_store, "300")
    jobs = (
        [lambda n=n: deduct(shop_store, "50", cause_id=f"c{n}") for n in range(4)]
        + [lambda n=n: store_account_adjust(store=shop_store, amount=D("120"), actor=reviewer,
                                            reason="货款", token=f"a{n}") for n in range(3)]
        + [lambda: pay_deposit(shop_store, "100")]
    )
    _results, errors = run_threads(len(jobs), lambda i: jobs[i]())
    assert not errors
    assert ledgers_reconcile().problems == []
    # 300 + 100 paid, 200 deducted, whatever was short covered from the 360 credited.
    state = account(shop_store)
    moved = sum(e.amount for e in state.entries.filter(kind="transfer"))
    assert state.balance == D("200.00") + moved
    assert state.balance >= D("500.00") and state.shortfall == 0
