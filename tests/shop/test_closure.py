"""Closing a store and refunding deposits (关店退保证金): every condition blocks on its
own, the notice runs 30 days from the application, approval pays the deposits back and
closes what they guaranteed, rejection and withdrawal reopen the store."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from common.errors import ApplicationError
from payments.models import Payment
from shop.models import ClosureApplication, DepositAccount, DepositEntry, Product, Store
from shop.rules import deposits as rules
from shop.selectors import deposits as selectors
from shop.selectors.stores import store_abilities
from shop.services.closure import closure_apply, closure_approve, closure_reject, closure_withdraw
from shop.services.deposits import deposit_deduct
from tests.factories import ProductFactory
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    completed_order,
    listed_sku,
    pay,
    place,
)
from tests.shop.test_deposits_fixtures import D, account, opened_store, pay_deposit

pytestmark = pytest.mark.django_db

OPEN_CASES = {"disputes": False, "compliance": False}


def fake_disputes(store):
    return OPEN_CASES["disputes"]


def fake_compliance(store):
    return OPEN_CASES["compliance"]


@pytest.fixture(autouse=True)
def _case_providers(monkeypatch):
    OPEN_CASES.update(disputes=False, compliance=False)
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", (
        ("disputes", __name__, "fake_disputes", "No open after-sale request or escalation"),
        ("compliance_cases", __name__, "fake_compliance",
         "No open violation appeal or sampling inspection"),
    ))


@pytest.fixture
def store(merchant):
    store = opened_store(merchant)
    pay_deposit(store, "500")
    pay_deposit(store, "500", kind=DepositAccount.Kind.PROMOTION)
    return store


def apply(store, *, own=True, other=True, now=None):
    return closure_apply(store=store, actor=store.merchant, refund_store_deposit=own,
                         refund_promotion_deposit=other, reason="不做了", now=now)


def states(store, application=None, kinds=("store", "promotion"), now=None):
    return {c.code: c.state for c in selectors.closure_checklist(
        store, kinds=kinds, application=application, now=now)}


def test_a_clean_store_meets_everything_but_the_notice(store):
    assert states(store) == {
        "products": "ok", "orders": "ok", "quiet_period": "ok", "disputes": "ok",
        "compliance_cases": "ok", "balance": "ok", "notice": "blocked",
    }


def break_listed(store, buyer):
    ProductFactory(store=store, status=Product.Status.LISTED)


def break_in_review(store, buyer):
    ProductFactory(store=store, status=Product.Status.IN_REVIEW)


def break_other_platform(store, buyer):
    ProductFactory(store=store, kind=Product.Kind.OTHER_PLATFORM, status=Product.Status.LISTED,
                   platform="jd", external_url="https://item.jd.com/1.html",
                   external_price=D("9"))


def break_open_order(store, buyer):
    sku = listed_sku(store)
    pay(place(buyer, sku))
    Product.objects.filter(store=store).update(status=Product.Status.DELISTED)


def break_recent_completion(store, buyer):
    with time_machine.travel(timezone.now() - timedelta(days=29), tick=False):
        completed_order(buyer, listed_sku(store))
    Product.objects.filter(store=store).update(status=Product.Status.DELISTED)


def break_disputes(store, buyer):
    OPEN_CASES["disputes"] = True


def break_compliance(store, buyer):
    OPEN_CASES["compliance"] = True


def break_balance(store, buyer):
    from common import config

    config.set_value("deposit.max_negative_balance", "100")
    deposit_deduct(store=store, amount=D("550"), cause_type="after_sale", cause_id="1",
                   actor=None, reason="先行赔付")


@pytest.mark.parametrize("breaker, code", [
    (break_listed, "products"),
    (break_in_review, "products"),
    (break_other_platform, "products"),
    (break_open_order, "orders"),
    (break_recent_completion, "quiet_period"),
    (break_disputes, "disputes"),
    (break_compliance, "compliance_cases"),
    (break_balance, "balance"),
])
def test_each_condition_blocks_on_its_own(store, buyer, breaker, code):
    breaker(store, buyer)
    blocked = [c for c, s in states(store).items() if s == rules.BLOCKED]
    assert blocked == [code, "notice"]
    with pytest.raises(ApplicationError) as exc:
        apply(store)
    assert exc.value.code == "conditions_not_met"
    assert not ClosureApplication.objects.exists()


@pytest.mark.parametrize("breaker, code", [
    (break_disputes, "disputes"),
    (break_compliance, "compliance_cases"),
    (break_balance, "balance"),
    (break_in_review, "products"),
])
def test_each_condition_also_blocks_the_approval(store, buyer, breaker, code):
    application = apply(store)
    later = timezone.now() + timedelta(days=31)
    breaker(store, buyer)
    assert [c for c, s in states(store, application, now=later).items() if s == "blocked"] == [code]
    with pytest.raises(ApplicationError) as exc:
        closure_approve(application=application, actor=None, now=later)
    assert exc.value.code == "conditions_not_met"
    application.refresh_from_db()
    assert application.status == "pending"


def test_the_notice_runs_30_days_from_the_application(store, reviewer):
    start = timezone.now()
    application = apply(store, now=start)
    assert application.notice_until == start + timedelta(days=30)
    assert application.review_by == start + timedelta(days=30)
    notice = selectors.closure_notice(store)
    assert notice["until"] == application.notice_until and not notice["closed"]
    with pytest.raises(ApplicationError) as exc:
        closure_approve(application=application, actor=reviewer, now=start + timedelta(days=29))
    assert exc.value.code == "conditions_not_met"
    assert states(store, application, now=start + timedelta(days=29))["notice"] == "blocked"
    assert states(store, application, now=start + timedelta(days=30))["notice"] == "ok"


def test_approval_refunds_both_deposits_and_closes_the_store(store, reviewer):
    start = timezone.now()
    application = apply(store, now=start)
    store.refresh_from_db()
    assert store.status == Store.Status.CLOSING
    assert not store_abilities(store).may_sell
    closure_approve(application=application, actor=reviewer, now=start + timedelta(days=30))
    application.refresh_from_db()
    assert application.status == "approved" and application.reviewer == reviewer
    store.refresh_from_db()
    assert store.status == Store.Status.CLOSED
    refunds = DepositEntry.objects.filter(kind="refund").order_by("account__kind")
    assert [(e.account.kind, e.amount, e.balance_after) for e in refunds] == [
        ("promotion", D("-500.00"), 0), ("store", D("-500.00"), 0)]
    payouts = Payment.objects.filter(kind=Payment.Kind.PAYOUT)
    assert sorted(p.amount for p in payouts) == [D("500.00"), D("500.00")]
    assert {p.payee_id for p in payouts} == {store.merchant_id}
    assert all(e.payment_id for e in refunds)
    assert account(store).closed_at is not None
    assert selectors.closure_notice(store)["closed"]
    assert list(application.events.values_list("to_status", flat=True)) == ["pending", "approved"]
    with pytest.raises(ApplicationError):
        closure_approve(application=application, actor=reviewer, now=start + timedelta(days=31))


def test_refunding_only_the_store_deposit_closes_own_product_selling(store, reviewer):
    start = timezone.now()
    ProductFactory(store=store, kind=Product.Kind.OTHER_PLATFORM, status=Product.Status.LISTED,
                   platform="jd", external_url="https://item.jd.com/1.html", external_price=D("9"))
    assert states(store, kinds=["store"])["products"] == "ok"
    application = apply(store, other=False, now=start)
    store.refresh_from_db()
    assert store.status == Store.Status.OPEN  # still promoting other-platform products
    closure_approve(application=application, actor=reviewer, now=start + timedelta(days=30))
    store.refresh_from_db()
    abilities = store_abilities(store)
    assert store.status == Store.Status.OPEN
    assert not abilities.may_sell and not abilities.may_list_own
    assert abilities.may_list_other_platform and abilities.may_list
    assert account(store, "promotion").balance == D("500.00")
    assert selectors.closure_notice(store) is None


def test_refunding_only_the_promotion_deposit_closes_other_platform_products(store, reviewer):
    start = timezone.now()
    application = apply(store, own=False, now=start)
    closure_approve(application=application, actor=reviewer, now=start + timedelta(days=30))
    abilities = store_abilities(store)
    assert abilities.may_sell and abilities.may_list_own and not abilities.may_list_other_platform


def test_a_condition_the_system_cannot_check_blocks_the_approval(store, reviewer, monkeypatch):
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", (
        ("disputes", "no_such_app.selectors", "store_has_open_cases", "No open after-sale request"),
    ))
    assert states(store)["disputes"] == "unknown"
    start = timezone.now()
    application = apply(store, now=start)  # the merchant may apply
    with pytest.raises(ApplicationError) as exc:
        closure_approve(application=application, actor=reviewer, now=start + timedelta(days=30))
    assert exc.value.code == "unchecked_conditions"


def test_an_open_violation_appeal_blocks_the_closure_for_real(store, reviewer, monkeypatch):
    from compliance.enforcement.services import (
        violation_appeal,
        violation_record,
        violation_uphold,
    )

    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", (
        ("compliance_cases", "compliance.enforcement.selectors", "store_has_open_cases",
         "No open violation appeal or sampling inspection"),
    ))
    violation = violation_record(store=store, type="false_advertising", source_kind="complaint",
                                 actor=reviewer, reason="夸大宣传")
    assert states(store)["compliance_cases"] == "ok"
    violation_appeal(violation=violation, actor=store.merchant, text="宣传属实")
    assert states(store)["compliance_cases"] == "blocked"
    with pytest.raises(ApplicationError) as exc:
        apply(store)
    assert exc.value.code == "conditions_not_met"
    violation_uphold(violation=violation, actor=reviewer, reason="证据充分")
    assert states(store)["compliance_cases"] == "ok"


def test_reject_needs_a_reason_and_reopens_the_store(store, reviewer):
    application = apply(store)
    with pytest.raises(ApplicationError):
        closure_reject(application=application, actor=reviewer, reason="")
    closure_reject(application=application, actor=reviewer, reason="尚有未处理投诉")
    application.refresh_from_db()
    store.refresh_from_db()
    assert application.status == "rejected" and application.rejection_reason == "尚有未处理投诉"
    assert store.status == Store.Status.OPEN and store_abilities(store).may_sell
    assert selectors.closure_notice(store) is None
    assert account(store).balance == D("500.00")
    apply(store)  # a new application is possible


def test_one_pending_application_and_withdrawal(store, other_merchant):
    application = apply(store)
    with pytest.raises(ApplicationError) as exc:
        apply(store)
    assert exc.value.code == "already_applied"
    with pytest.raises(ApplicationError):
        closure_withdraw(application=application, actor=other_merchant)
    closure_withdraw(application=application, actor=store.merchant)
    store.refresh_from_db()
    assert store.status == Store.Status.OPEN
    assert ClosureApplication.objects.get().status == "withdrawn"


def test_the_review_queue_is_ordered_by_the_review_clock(store, other_merchant):
    other = opened_store(other_merchant)
    first = apply(other, now=timezone.now() - timedelta(days=5))
    second = apply(store)
    assert list(selectors.closure_review_queue().order_by("review_by")) == [first, second]
