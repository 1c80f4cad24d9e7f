"""Fixes around deposits, closure and the reviewer screens: the deposit page shows one
consistent set of figures; closure approval re-checks the conditions under its locks and a
pending store-deposit closure stops own-product selling; the monthly run refuses a month
that has not ended; the admin account pages load a bounded number of entries; the ledger
check reads one snapshot; admin writes need the change permission."""

import re
import threading
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common import config
from common.errors import ApplicationError
from compliance.models import Category
from shop.models import (
    ClosureApplication,
    DepositAdjustmentRun,
    DepositEntry,
    Product,
    StoreAccount,
    Withdrawal,
)
from shop.selectors import deposits as selectors
from shop.selectors.stores import store_abilities, store_may_list_kind
from shop.services import closure as closure_services
from shop.services.accounts import store_account_adjust, withdrawal_request
from shop.services.closure import closure_apply, closure_approve, closure_withdraw
from shop.services.deposits import (
    SHANGHAI,
    deposit_adjust,
    deposit_deduct,
    deposit_evaluate,
    deposit_monthly_adjust,
)
from shop.services.orders import order_place
from tests.concurrency import postgres_only
from tests.factories import CategoryFactory, ProductFactory, UserFactory
from tests.shop.order_factories import ADDRESS, _fast_password_hashing, listed_sku  # noqa: F401
from tests.shop.test_deposits_fixtures import (
    D,
    account,
    new_store,
    opened_store,
    pay_deposit,
    token,
)


@pytest.fixture(autouse=True)
def _no_open_cases(monkeypatch):
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", ())


@pytest.fixture
def store(merchant, db):
    return opened_store(merchant)


# --- 3. the deposit page: one consistent set of figures -------------------------------------
def stats(body):
    """The figures of the deposit page, in order (required, paid, missing per deposit)."""
    return re.findall(r'<div class="stat"><div class="value">([^<]*)</div>', body)


@pytest.mark.django_db
def test_the_deposit_page_asks_for_what_its_shortfall_is_computed_from(merchant_client, store):
    hetian = CategoryFactory(code="fx_jade", name="和田玉", status=Category.Status.OPEN,
                             deposit_standard=D("10000"))
    product = ProductFactory(store=store, category=hetian, status=Product.Status.LISTED)
    deposit_evaluate(store=store)
    pay_deposit(store, "500")
    # Delisted, but not re-evaluated yet: the stored 10,000 still applies.
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DELISTED)
    [state, _promotion] = selectors.deposit_states(store)
    assert state.required == D("10000.00") == state.balance + state.shortfall
    assert state.to_pay == D("9500.00") and state.will_drop_to == D("500.00")
    assert any(amount == D("10000") and decisive for _t, amount, decisive in state.lines)
    body = merchant_client.get("/seller/deposit/").content.decode()
    figures = stats(body)[:3]  # the store deposit: required, paid, missing
    assert figures == ["¥10,000.00", "¥500.00", "¥9,500.00"]
    assert 'value="9500.00"' in body and "requirement-drop" in body
    assert "和田玉" in body  # the line that makes the 10,000
    # Re-evaluation lowers it, and the page says so no more.
    deposit_evaluate(store=store)
    [state, _promotion] = selectors.deposit_states(store)
    assert (state.required, state.shortfall, state.will_drop_to) == (D("500.00"), 0, None)
    body = merchant_client.get("/seller/deposit/").content.decode()
    assert "requirement-drop" not in body


@pytest.mark.django_db
def test_a_requirement_that_went_up_is_shown_and_asked_for_at_once(store):
    pay_deposit(store, "500")
    hetian = CategoryFactory(code="fx_jade2", name="和田玉", status=Category.Status.OPEN,
                             deposit_standard=D("10000"))
    ProductFactory(store=store, category=hetian, status=Product.Status.IN_REVIEW)
    [state, _promotion] = selectors.deposit_states(store)
    assert (state.required, state.to_pay, state.will_drop_to) == (D("10000"), D("9500.00"), None)


# --- 4. closure approval under locks, and selling during the notice --------------------------
@pytest.fixture
def applied(store):
    pay_deposit(store, "500")
    pay_deposit(store, "500", kind="promotion")
    return closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                         refund_promotion_deposit=True,
                         now=timezone.now() - timedelta(days=31))


@pytest.mark.django_db
def test_approval_checks_the_conditions_after_taking_the_locks(applied, store, reviewer,
                                                              monkeypatch):
    real_lock = closure_services._store_lock

    def lock_after_a_concurrent_listing(s):
        # Another transaction listed a product and committed while the reviewer's request
        # was on its way: the approval must see it once it holds the store.
        ProductFactory(store=store, status=Product.Status.LISTED)
        return real_lock(s)

    monkeypatch.setattr(closure_services, "_store_lock", lock_after_a_concurrent_listing)
    with pytest.raises(ApplicationError) as exc:
        closure_approve(application=applied, actor=reviewer)
    assert exc.value.code == "conditions_not_met"
    applied.refresh_from_db()
    assert applied.status == ClosureApplication.Status.PENDING
    assert account(store).closed_at is None and account(store).balance == D("500.00")


@pytest.mark.django_db
def test_a_pending_store_deposit_closure_stops_own_product_selling_and_listing(store, buyer):
    sku = listed_sku(store)
    pay_deposit(store, "500")
    pay_deposit(store, "500", kind="promotion")
    Product.objects.filter(store=store).update(status=Product.Status.DELISTED)
    application = closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                                refund_promotion_deposit=False)
    store.refresh_from_db()
    assert store.status == store.Status.OPEN  # still promoting other-platform products
    abilities = store_abilities(store)
    assert not abilities.may_sell and not abilities.may_list_own
    assert abilities.may_list_other_platform and abilities.may_list and abilities.may_withdraw
    assert any("store deposit" in str(r) or "店铺保证金" in str(r) for r in abilities.reasons)
    assert not store_may_list_kind(store, "own")
    Product.objects.filter(pk=sku.product_id).update(status=Product.Status.LISTED)
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}], address=ADDRESS)
    assert exc.value.code == "store_cannot_sell"
    # Withdrawing the application gives selling back.
    closure_withdraw(application=application, actor=store.merchant)
    assert store_abilities(store).may_sell
    order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}], address=ADDRESS)


@pytest.mark.django_db
def test_a_pending_promotion_deposit_closure_stops_other_platform_listing(store):
    pay_deposit(store, "500")
    closure_apply(store=store, actor=store.merchant, refund_store_deposit=False,
                  refund_promotion_deposit=True)
    abilities = store_abilities(store)
    assert abilities.may_sell and abilities.may_list_own
    assert not abilities.may_list_other_platform


@pytest.mark.django_db
def test_store_abilities_stays_two_queries(store):
    # the deposit accounts with their open closure, and the compliance restrictions in force
    pay_deposit(store, "500")
    with CaptureQueriesContext(connection) as ctx:
        store_abilities(store)
    assert len(ctx.captured_queries) == 2


# --- 5. the monthly run refuses a month that has not ended ------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("month", ["2025-06", "2025-07"])
def test_the_monthly_run_refuses_the_current_or_a_future_month(store, month):
    now = datetime(2025, 6, 30, 23, 30, tzinfo=SHANGHAI)  # still June in Shanghai
    with pytest.raises(ApplicationError) as exc:
        deposit_monthly_adjust(sales_month=datetime.strptime(month, "%Y-%m").date(), now=now)
    assert exc.value.code == "month_not_over"
    assert not DepositAdjustmentRun.objects.exists()
    run = deposit_monthly_adjust(sales_month=datetime(2025, 5, 1).date(), now=now)
    assert run.status == DepositAdjustmentRun.Status.FINISHED


@pytest.mark.django_db
def test_the_command_refuses_the_current_month(store, capsys):
    current = timezone.now().astimezone(SHANGHAI).strftime("%Y-%m")
    with pytest.raises(CommandError):
        call_command("adjust_deposits", "--month", current)
    assert not DepositAdjustmentRun.objects.exists()
    call_command("adjust_deposits")  # last month, as scheduled
    assert DepositAdjustmentRun.objects.get().status == DepositAdjustmentRun.Status.FINISHED


# --- 6. admin account pages: the latest entries only ------------------------------------------
def latest_rows(body):
    table = re.search(r'<table class="latest-entries">(.*?)</table>', body, re.S).group(1)
    return table.count("<tr>") - 1  # less the header

@pytest.mark.django_db
def test_account_pages_show_the_latest_entries_and_link_to_the_rest(reviewer_client, store,
                                                                    reviewer):
    pay_deposit(store, "500")
    other = opened_store(UserFactory(role="merchant"))
    pay_deposit(other, "777")
    deposit = account(store)
    url = f"/admin/shop/depositaccount/{deposit.pk}/change/"

    def page():
        with CaptureQueriesContext(connection) as ctx:
            res = reviewer_client.get(url)
        assert res.status_code == 200
        return len(ctx.captured_queries), res.content.decode()

    page()  # warm up what is cached per process
    few, _body = page()
    for n in range(30):
        deposit_deduct(store=store, amount=D("1"), cause_type="after_sale", cause_id=str(n),
                       actor=None, reason=f"赔付{n}")
    many, body = page()
    assert many == few
    assert latest_rows(body) == 20
    assert len(re.findall(r"赔付\d+", body)) == 20 and "赔付29" in body and "赔付9<" not in body
    link = f"/admin/shop/depositentry/?account__id__exact={deposit.pk}"
    assert link in body.replace("&amp;", "&")
    listing = reviewer_client.get(link)
    assert listing.status_code == 200
    listed = listing.content.decode()
    assert listed.count("after_sale") == 30 and "777" not in listed
    # The store account the same way.
    for n in range(25):
        store_account_adjust(store=store, amount=D("1"), actor=reviewer, reason=f"货款{n}",
                             token=token())
    store_account = StoreAccount.objects.get(store=store)
    body = reviewer_client.get(f"/admin/shop/storeaccount/{store_account.pk}/change/").content
    body = body.decode()
    assert latest_rows(body) == 20 and "货款24" in body and "货款0<" not in body
    link = f"/admin/shop/storeaccountentry/?account__id__exact={store_account.pk}"
    assert link in body.replace("&amp;", "&")
    assert reviewer_client.get(link).status_code == 200


# --- 8. the ledger check reads one snapshot ----------------------------------------------------
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_reconcile_is_not_fooled_by_money_moving_while_it_reads(monkeypatch):
    from django.db.models.query import QuerySet

    shop_store = new_store(UserFactory())
    pay_deposit(shop_store, "500")
    reviewer = UserFactory(role="reviewer")
    real_iterator = QuerySet.iterator
    moved = []

    def iterator_after_a_concurrent_adjustment(self, *args, **kwargs):
        if self.model is DepositEntry and not moved:
            # Between reading the balances and reading the entries, another connection
            # moves money and commits.
            def adjust():
                try:
                    deposit_adjust(account=account(shop_store), amount=D("10"), actor=reviewer,
                                   reason="并发调整", token="concurrent")
                    moved.append(True)
                finally:
                    connection.close()

            thread = threading.Thread(target=adjust)
            thread.start()
            thread.join()
        return real_iterator(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "iterator", iterator_after_a_concurrent_adjustment)
    report = selectors.ledgers_reconcile()
    assert moved == [True]
    assert report.problems == []
    monkeypatch.undo()
    assert account(shop_store).balance == D("510.00")
    assert selectors.ledgers_reconcile().problems == []


@pytest.mark.django_db
def test_reconcile_compares_the_balance_with_the_last_entry_and_the_sum(store):
    pay_deposit(store, "500")
    pay_deposit(store, "200")
    entry = DepositEntry.objects.order_by("pk").last()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {DepositEntry._meta.db_table} SET balance_after = %s "
                       "WHERE id = %s", ["600.00", entry.pk])
    problems = selectors.ledgers_reconcile().problems
    assert any("last entry says 600.00" in p for p in problems), problems


# --- 9. admin writes need the change permission -----------------------------------------------
def view_only_client(*models):
    user = UserFactory(username="t_viewer", is_staff=True)
    for model in models:
        user.user_permissions.add(Permission.objects.get(
            content_type__app_label="shop", codename=f"view_{model}"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_view_only_staff_cannot_approve_or_reject(store, reviewer):
    config.set_value("account.withdrawal_auto_max", "0")
    pay_deposit(store, "500")
    store_account_adjust(store=store, amount=D("500"), actor=reviewer, reason="r", token=token())
    w = withdrawal_request(store=store, amount=D("100"), actor=store.merchant, token="a")
    application = closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                                refund_promotion_deposit=False)
    client = view_only_client("withdrawal", "closureapplication", "depositadjustmentrun")
    body = client.get("/admin/shop/withdrawal/").content.decode()
    assert "approve_selected" not in body and "reject_selected" not in body
    client.post("/admin/shop/withdrawal/", {"action": "approve_selected",
                                            "_selected_action": [w.pk]})
    client.post("/admin/shop/withdrawal/", {"action": "reject_selected", "apply": "1",
                                            "text": "x", "_selected_action": [w.pk]})
    w.refresh_from_db()
    assert w.status == Withdrawal.Status.REQUESTED
    client.post("/admin/shop/closureapplication/", {
        "action": "reject_selected", "_selected_action": [application.pk], "apply": "1",
        "text": "x"})
    application.refresh_from_db()
    assert application.status == ClosureApplication.Status.PENDING
    assert client.post(f"/admin/shop/closureapplication/{application.pk}/approve/",
                       {}).status_code == 404
    body = client.get("/admin/shop/depositadjustmentrun/").content.decode()
    assert "/start/" not in body
    assert client.post("/admin/shop/depositadjustmentrun/start/").status_code == 404
    assert not DepositAdjustmentRun.objects.exists()
