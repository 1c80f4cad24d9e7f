"""The monthly dynamic adjustment (动态调整): last natural month's sales in Asia/Shanghai,
requirements recomputed with reasons, the merchant notified of a change, progress, a
second run of the same month changing nothing, and its schedule (time travel)."""

import importlib
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django_q.models import Schedule

from shop.models import DepositAccount, DepositAdjustment, DepositAdjustmentRun
from shop.selectors.stores import store_abilities
from shop.services.deposits import deposit_monthly_adjust, store_sales_for_month
from shop.tasks import deposits_monthly_adjust
from tests.shop.order_factories import _fast_password_hashing, listed_sku, pay, place  # noqa: F401
from tests.shop.test_deposits_fixtures import D, account, opened_store, pay_deposit

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def sell(buyer, store, amount, at):
    with time_machine.travel(at, tick=False):
        sku = listed_sku(store, price=amount, stock=5)
        return pay(place(buyer, sku))


@pytest.fixture
def stores(merchant, other_merchant):
    a, b = opened_store(merchant), opened_store(other_merchant)
    a.merchant.email = "a@example.com"
    a.merchant.save()
    for store in (a, b):
        pay_deposit(store, "500")
        pay_deposit(store, "500", kind=DepositAccount.Kind.PROMOTION)
    return a, b


def test_sales_of_a_natural_month_in_shanghai(stores, buyer):
    a, b = stores
    sell(buyer, a, "60000.00", datetime(2025, 6, 1, 0, 1, tzinfo=SH))
    sell(buyer, a, "50000.00", datetime(2025, 6, 30, 23, 59, tzinfo=SH))
    sell(buyer, a, "70000.00", datetime(2025, 7, 1, 0, 0, tzinfo=SH))  # July
    sell(buyer, a, "80000.00", datetime(2025, 5, 31, 23, 59, tzinfo=SH))  # May
    sell(buyer, b, "10.00", datetime(2025, 6, 15, tzinfo=SH))
    sales = store_sales_for_month([a.pk, b.pk], datetime(2025, 6, 1).date())
    assert sales == {a.pk: D("110000.00"), b.pk: D("10.00")}


def test_monthly_adjustment_raises_explains_notifies_and_is_idempotent(
        stores, buyer, django_capture_on_commit_callbacks):
    a, b = stores
    sell(buyer, a, "120000.00", datetime(2025, 6, 10, tzinfo=SH))
    run_at = datetime(2025, 7, 1, 0, 5, tzinfo=SH)
    mail.outbox.clear()
    with time_machine.travel(run_at, tick=False), django_capture_on_commit_callbacks(
            execute=True):
        run = deposit_monthly_adjust(batch_size=1)
    assert run.sales_month.isoformat() == "2025-06-01"
    assert (run.status, run.total, run.done, run.changed) == ("finished", 2, 2, 1)
    adj = DepositAdjustment.objects.get(store=a)
    assert adj.changed and adj.sales_amount == D("120000.00")
    assert (adj.store_required_before, adj.store_required_after) == (D("500.00"), D("5000.00"))
    # No other-platform products: the promotion deposit is not required.
    assert adj.promotion_required_after == 0
    assert [line["code"] for line in adj.lines["store"]] == ["base", "sales_tier"]
    assert not DepositAdjustment.objects.get(store=b).changed
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.com"]
    # Short by 4,500 after the raise: restricted at once.
    assert store_abilities(a).shortfall == {"store": D("4500.00")}
    assert store_abilities(b).may_sell

    entries_before = list(account(a).entries.values_list("pk", flat=True))
    with time_machine.travel(run_at + timedelta(hours=3), tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        again = deposit_monthly_adjust()
    assert again.pk == run.pk and again.done == 2
    assert DepositAdjustment.objects.count() == 2
    assert list(account(a).entries.values_list("pk", flat=True)) == entries_before
    assert len(mail.outbox) == 1


def test_a_raise_is_covered_from_the_store_account_first(stores, buyer, reviewer):
    a, _b = stores
    from shop.services.accounts import store_account_adjust

    store_account_adjust(store=a, amount=D("10000"), actor=reviewer, reason="货款", token="t")
    sell(buyer, a, "100000.00", datetime(2025, 6, 10, tzinfo=SH))
    deposit_monthly_adjust(sales_month=datetime(2025, 6, 1).date(),
                           now=datetime(2025, 7, 1, 0, 5, tzinfo=SH))
    assert account(a).balance == D("5000.00")
    assert store_abilities(a).may_sell
    a.account.refresh_from_db()
    assert a.account.balance == D("5500.00")


def test_a_lower_tier_next_month_lowers_the_requirement(stores, buyer):
    a, _b = stores
    sell(buyer, a, "600000.00", datetime(2025, 6, 10, tzinfo=SH))
    deposit_monthly_adjust(now=datetime(2025, 7, 1, 0, 5, tzinfo=SH))
    assert account(a).required_amount == D("50000.00")
    deposit_monthly_adjust(now=datetime(2025, 8, 1, 0, 5, tzinfo=SH))
    assert account(a).required_amount == D("500.00")
    assert store_abilities(a).may_sell
    assert DepositAdjustmentRun.objects.count() == 2


def test_an_interrupted_run_resumes_where_it_stopped(stores, monkeypatch):
    a, b = stores
    from shop.services import deposits

    real = deposits._adjust_store
    calls = []

    def flaky(*, run, store, sales, now):
        calls.append(store.pk)
        if store.pk == b.pk and len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(run=run, store=store, sales=sales, now=now)

    monkeypatch.setattr(deposits, "_adjust_store", flaky)
    now = datetime(2025, 7, 1, 0, 5, tzinfo=SH)
    with pytest.raises(RuntimeError):
        deposit_monthly_adjust(now=now, batch_size=1)
    run = DepositAdjustmentRun.objects.get()
    assert (run.status, run.done, run.total) == ("running", 1, 2)
    run = deposit_monthly_adjust(now=now, batch_size=1)
    assert (run.status, run.done) == ("finished", 2)
    assert DepositAdjustment.objects.count() == 2


def test_the_schedule_runs_daily_at_0005_shanghai_and_acts_once_a_month(stores, buyer):
    a, _b = stores
    import common.schedules

    with time_machine.travel(datetime(2025, 6, 15, 10, 0, tzinfo=SH), tick=False):
        schedules = importlib.reload(common.schedules)
        schedules.ensure_schedules()
        schedules.ensure_schedules()
    schedule = Schedule.objects.get(name="deposits_monthly_adjust")
    assert schedule.func == "shop.tasks.deposits_monthly_adjust"
    assert schedule.next_run == datetime(2025, 6, 16, 0, 5, tzinfo=SH)
    assert schedule.calculate_next_run() == datetime(2025, 6, 17, 0, 5, tzinfo=SH)

    sell(buyer, a, "150000.00", datetime(2025, 6, 20, tzinfo=SH))
    with time_machine.travel(datetime(2025, 6, 30, 0, 5, tzinfo=SH), tick=False):
        result = deposits_monthly_adjust()
    assert result["sales_month"] == "2025-05-01"  # June is not over yet
    assert account(a).required_amount == D("500.00")
    with time_machine.travel(datetime(2025, 7, 1, 0, 5, tzinfo=SH), tick=False):
        result = deposits_monthly_adjust()
    assert result == {"sales_month": "2025-06-01", "status": "finished", "done": 2,
                      "total": 2, "changed": 1}
    assert account(a).required_amount == D("5000.00")
    with time_machine.travel(datetime(2025, 7, 2, 0, 5, tzinfo=SH), tick=False):
        assert deposits_monthly_adjust() == result
    assert DepositAdjustment.objects.filter(sales_month="2025-06-01").count() == 2


def test_adjust_deposits_command(stores, capsys):
    call_command("adjust_deposits", "--month", "2025-06")
    assert "2025-06: finished, 2/2 stores" in capsys.readouterr().out
    call_command("adjust_deposits", "--month", "2025-06")
    assert DepositAdjustment.objects.count() == 2
