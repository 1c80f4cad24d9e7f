"""Reviewer screens: ledgers read-only, manual adjustments through a form with a reason,
the monthly run and its progress, the withdrawal and closure queues."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from shop.models import (
    ClosureApplication,
    DepositAccount,
    DepositAdjustmentRun,
    DepositEntry,
    StoreAccount,
    Withdrawal,
)
from shop.selectors import deposits as selectors
from shop.services.accounts import store_account_adjust, withdrawal_request
from shop.services.closure import closure_apply
from shop.services.deposits import deposit_monthly_adjust
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)
from tests.shop.test_deposits_fixtures import D, account, opened_store, pay_deposit, token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_open_cases(monkeypatch):
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", ())


@pytest.fixture
def store(merchant):
    store = opened_store(merchant)
    pay_deposit(store, "500")
    return store


def test_ledger_entries_are_read_only_in_the_admin(reviewer_client, store):
    entry = DepositEntry.objects.get()
    res = reviewer_client.get(f"/admin/shop/depositentry/{entry.pk}/change/")
    assert res.status_code == 200
    body = res.content.decode()
    assert 'name="_save"' not in body and "deletelink" not in body
    res = reviewer_client.post(f"/admin/shop/depositentry/{entry.pk}/delete/", {"post": "yes"})
    assert res.status_code == 403
    assert reviewer_client.get("/admin/shop/depositentry/add/").status_code == 403
    assert DepositEntry.objects.filter(pk=entry.pk).exists()
    assert reviewer_client.get("/admin/shop/depositentry/").status_code == 200
    assert reviewer_client.get("/admin/shop/storeaccountentry/").status_code == 200


def test_manual_adjustment_form_requires_a_reason(reviewer_client, reviewer, store):
    acc = account(store)
    url = f"/admin/shop/depositaccount/{acc.pk}/adjust/"
    body = reviewer_client.get(url).content.decode()
    tok = re.search(r'name="token" value="([0-9a-f]+)"', body).group(1)
    res = reviewer_client.post(url, {"amount": "50", "reason": "", "token": tok})
    assert res.status_code == 200 and account(store).balance == D("500.00")
    res = reviewer_client.post(url, {"amount": "-50", "reason": "线下退还部分", "token": tok})
    assert res.status_code == 302
    res = reviewer_client.post(url, {"amount": "-50", "reason": "线下退还部分", "token": tok})
    entry = DepositEntry.objects.get(kind="adjustment")
    assert entry.actor == reviewer and entry.amount == D("-50.00")
    assert account(store).balance == D("450.00")
    body = reviewer_client.get(f"/admin/shop/depositaccount/{acc.pk}/change/").content.decode()
    assert "线下退还部分" in body and url in body


def test_store_account_adjustment_form(reviewer_client, store):
    acc = StoreAccount.objects.get(store=store)
    url = f"/admin/shop/storeaccount/{acc.pk}/adjust/"
    res = reviewer_client.post(url, {"amount": "30", "reason": "补发货款", "token": token()})
    assert res.status_code == 302
    acc.refresh_from_db()
    assert acc.balance == D("30.00")


def test_adjustment_needs_a_reviewer(merchant_client, store):
    acc = account(store)
    res = merchant_client.get(f"/admin/shop/depositaccount/{acc.pk}/adjust/")
    assert res.status_code == 302 and "/admin/login/" in res["Location"]


def test_withdrawal_queue_approve_and_reject(reviewer_client, reviewer, store):
    from common import config

    config.set_value("account.withdrawal_auto_max", "0")
    store_account_adjust(store=store, amount=D("500"), actor=reviewer, reason="r", token=token())
    w1 = withdrawal_request(store=store, amount=D("100"), actor=store.merchant, token="a")
    w2 = withdrawal_request(store=store, amount=D("200"), actor=store.merchant, token="b")
    assert reviewer_client.get("/admin/shop/withdrawal/").status_code == 200
    reviewer_client.post("/admin/shop/withdrawal/", {"action": "approve_selected",
                                                     "_selected_action": [w1.pk]})
    res = reviewer_client.post("/admin/shop/withdrawal/", {"action": "reject_selected",
                                                           "_selected_action": [w2.pk]})
    assert res.status_code == 200  # asks for the reason
    assert 'name="text"' in res.content.decode() and 'name="templates"' not in res.content.decode()
    reviewer_client.post("/admin/shop/withdrawal/", {"action": "reject_selected",
                                                     "_selected_action": [w2.pk], "apply": "1",
                                                     "text": "收款账户有误"})
    w1.refresh_from_db()
    w2.refresh_from_db()
    assert (w1.status, w2.status) == (Withdrawal.Status.PAID, Withdrawal.Status.REJECTED)
    assert w2.rejection_reason == "收款账户有误"


def test_monthly_run_progress_is_shown(reviewer_client, store):
    deposit_monthly_adjust()
    run = DepositAdjustmentRun.objects.get()
    body = reviewer_client.get("/admin/shop/depositadjustmentrun/").content.decode()
    assert "<progress" in body and 'value="100"' in body
    assert "/admin/shop/depositadjustmentrun/start/" in body
    assert run.percent == 100


def test_starting_the_run_from_the_admin_queues_the_task(reviewer_client, monkeypatch):
    queued = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: queued.append(a))
    res = reviewer_client.post("/admin/shop/depositadjustmentrun/start/")
    assert res.status_code == 302
    assert queued and queued[0][0] == "shop.tasks.deposits_monthly_adjust"


def test_closure_queue_and_approval(reviewer_client, reviewer, store):
    start = timezone.now() - timedelta(days=31)
    application = closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                                refund_promotion_deposit=True, now=start)
    from common import review_queues

    [queue] = [q for q in review_queues._QUEUES if q[2] == "admin:shop_closureapplication_changelist"]
    assert list(queue[1]()) == [application] and queue[3] == "review_by"
    change = reviewer_client.get(f"/admin/shop/closureapplication/{application.pk}/change/")
    assert change.status_code == 200
    url = f"/admin/shop/closureapplication/{application.pk}/approve/"
    assert reviewer_client.get(url).status_code == 200
    assert reviewer_client.post(url, {}).status_code == 302
    application.refresh_from_db()
    assert application.status == ClosureApplication.Status.APPROVED
    assert account(store).closed_at is not None


def test_closure_reject_action_needs_a_reason(reviewer_client, store):
    application = closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                                refund_promotion_deposit=False)
    reviewer_client.post("/admin/shop/closureapplication/", {
        "action": "reject_selected", "_selected_action": [application.pk], "apply": "1",
        "text": ""})
    application.refresh_from_db()
    assert application.status == "pending"
    reviewer_client.post("/admin/shop/closureapplication/", {
        "action": "reject_selected", "_selected_action": [application.pk], "apply": "1",
        "text": "存在未完结投诉"})
    application.refresh_from_db()
    assert application.status == "rejected"


def test_account_changelists_render(reviewer_client, store):
    for url in ("/admin/shop/depositaccount/", "/admin/shop/storeaccount/",
                "/admin/shop/depositpayin/", "/admin/shop/depositadjustment/",
                "/admin/shop/closureapplication/",
                f"/admin/shop/depositaccount/{account(store).pk}/change/"):
        assert reviewer_client.get(url).status_code == 200, url
    assert DepositAccount.objects.count() == 2


def test_reconcile_ledgers_passes_and_fails_on_a_corrupted_row(store, reviewer, capsys):
    from django.core.management.base import CommandError
    from django.db import connection

    store_account_adjust(store=store, amount=D("40"), actor=reviewer, reason="r", token=token())
    call_command("reconcile_ledgers")
    assert "All ledgers balance" in capsys.readouterr().out
    entry = DepositEntry.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {DepositEntry._meta.db_table} SET amount = %s WHERE id = %s",
                       ["499.00", entry.pk])
    with pytest.raises(CommandError):
        call_command("reconcile_ledgers")
    assert f"entry {entry.pk}" in capsys.readouterr().err


def test_reconcile_ledgers_exits_with_status_1_on_a_balance_mismatch(store):
    from django.core.management import ManagementUtility
    from django.db import connection

    entry = DepositEntry.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {DepositAccount._meta.db_table} SET balance = 1 WHERE id = %s",
                       [entry.account_id])
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "reconcile_ledgers"]).execute()
    assert exc.value.code == 1


def test_ledger_changelist_runs_a_fixed_number_of_queries(reviewer_client, store):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shop.services.deposits import deposit_deduct

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert reviewer_client.get("/admin/shop/depositentry/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(30):
        deposit_deduct(store=store, amount=D("1"), cause_type="after_sale", cause_id=str(n),
                       actor=None, reason="赔付")
    assert count() == few
