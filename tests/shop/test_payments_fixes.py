"""Money moves only on the provider's answer: refunds and payouts that the provider answers
PENDING stay held until its signed callback confirms or fails them, and FAILED ones move
nothing (withdrawals, refunds after settlement, deposit refunds on closing). A deposit
pay-in arriving after the deposit was closed is sent back. The buyer's sandbox shortcut
follows PAYMENT_SANDBOX_ENABLED, not DEBUG.

The provider is a fake with the real provider interface (shop.services.payments): it
answers refunds and payouts as told and signs its callbacks like the sandbox."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from common import config
from common.errors import ApplicationError
from payments import providers, purposes
from payments.models import Payment
from payments.providers import SandboxProvider
from payments.services import (
    PaymentFailedError,
    payment_callback_handle,
    payment_payout,
    sandbox_pay,
)
from shop.models import (
    ClosureApplication,
    DepositEntry,
    DepositPayIn,
    Store,
    StoreAccount,
    StoreAccountEntry,
    Withdrawal,
)
from shop.selectors import deposits as selectors
from shop.selectors.stores import store_abilities
from shop.services.accounts import (
    store_account_adjust,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from shop.services.closure import closure_apply, closure_approve
from shop.services.deposits import deposit_payin_start
from shop.services.order_payments import order_payment_start, order_refund
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    completed_order,
    listed_sku,
    place,
)
from tests.shop.test_deposits_fixtures import D, account, opened_store, pay_deposit, token

pytestmark = pytest.mark.django_db

PENDING, SUCCEEDED, FAILED = (Payment.Status.PENDING, Payment.Status.SUCCEEDED,
                              Payment.Status.FAILED)


class FakeProvider(SandboxProvider):
    """Answers refunds and payouts with the statuses queued in `answers` (then
    `default`); signs callbacks like the sandbox, under its own name."""

    name = "fake"

    def __init__(self):
        self.default = SUCCEEDED
        self.answers = []

    def _answer(self):
        return self.answers.pop(0) if self.answers else self.default

    def refund(self, payment):
        return self._answer()

    def payout(self, payment):
        return self._answer()


@pytest.fixture
def fake(monkeypatch, settings):
    provider = FakeProvider()
    monkeypatch.setitem(providers._PROVIDERS, "fake", provider)
    settings.PAYMENT_PROVIDER = "fake"
    return provider


@pytest.fixture(autouse=True)
def _no_open_cases(monkeypatch):
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", ())


def provider_says(provider, payment, *, succeeded):
    """The provider's signed callback for a pending payment, refund or payout."""
    body = provider.callback_body(payment, succeeded=succeeded)
    return payment_callback_handle(provider_name=provider.name, body=body,
                                   signature=provider.sign(body))


def store_balance(store):
    return StoreAccount.objects.get(store=store).balance


@pytest.fixture
def store(merchant):
    return opened_store(merchant)


# --- withdrawals ------------------------------------------------------------------------------
@pytest.fixture
def funded(store, reviewer):
    config.set_value("account.withdrawal_auto_max", "0")
    store_account_adjust(store=store, amount=D("800"), actor=reviewer, reason="货款",
                         token=token())
    return store


def test_a_pending_payout_keeps_the_withdrawal_held_until_the_provider_confirms(
        funded, reviewer, fake):
    w = withdrawal_request(store=funded, amount=D("300"), actor=funded.merchant, token="w1")
    fake.default = PENDING
    w = withdrawal_approve(withdrawal=w, actor=reviewer)
    assert w.status == Withdrawal.Status.PAYING
    # Held: not paid, but not back on the account either (no double withdrawal).
    assert store_balance(funded) == D("500.00")
    assert not StoreAccountEntry.objects.filter(kind="withdrawal_returned").exists()
    for decide in (lambda: withdrawal_approve(withdrawal=w, actor=reviewer),
                   lambda: withdrawal_reject(withdrawal=w, actor=reviewer, reason="x")):
        with pytest.raises(ApplicationError) as exc:
            decide()
        assert exc.value.code == "bad_state"
    _payment, changed = provider_says(fake, w.payment, succeeded=True)
    assert changed
    w.refresh_from_db()
    assert w.status == Withdrawal.Status.PAID and w.payment.status == SUCCEEDED
    assert store_balance(funded) == D("500.00")
    assert list(w.events.values_list("to_status", flat=True)) == ["requested", "paying", "paid"]
    # A repeated callback changes nothing.
    assert provider_says(fake, w.payment, succeeded=True)[1] is False
    assert store_balance(funded) == D("500.00")


def test_a_pending_payout_that_fails_later_returns_the_money_once(funded, reviewer, fake):
    w = withdrawal_request(store=funded, amount=D("300"), actor=funded.merchant, token="w1")
    fake.default = PENDING
    w = withdrawal_approve(withdrawal=w, actor=reviewer)
    provider_says(fake, w.payment, succeeded=False)
    w.refresh_from_db()
    assert w.status == Withdrawal.Status.FAILED
    assert store_balance(funded) == D("800.00")
    assert StoreAccountEntry.objects.filter(kind="withdrawal_returned").count() == 1
    assert selectors.ledgers_reconcile().problems == []


def test_a_failed_payout_returns_the_money_and_keeps_the_record(funded, reviewer, fake):
    w = withdrawal_request(store=funded, amount=D("300"), actor=funded.merchant, token="w1")
    fake.default = FAILED
    w = withdrawal_approve(withdrawal=w, actor=reviewer)
    assert w.status == Withdrawal.Status.FAILED
    assert store_balance(funded) == D("800.00")
    payment = Payment.objects.get(kind="payout")
    assert payment.status == FAILED and w.payment_id == payment.pk
    assert payment.idempotency_key != f"withdrawal:{w.pk}"  # freed for another attempt


# --- refunds ------------------------------------------------------------------------------------
@pytest.fixture
def settled(store, buyer):
    """A completed, settled order of 100.00 (95.00 on the store account)."""
    order = completed_order(buyer, listed_sku(store, price="100.00"))
    assert store_balance(store) == D("95.00")
    return order


def test_a_failed_refund_releases_what_it_reserved(settled, store, merchant, fake):
    line = settled.lines.get()
    fake.default = FAILED
    with pytest.raises(PaymentFailedError) as exc:
        order_refund(order=settled, amount="40.00", idempotency_key="as:1", actor=merchant,
                       reason="部分退款", line=line)
    assert exc.value.code == "refund_failed"
    settled.refresh_from_db()
    line.refresh_from_db()
    assert settled.refunded_amount == 0 and line.refunded_amount == 0
    assert store_balance(store) == D("95.00")
    assert not StoreAccountEntry.objects.filter(kind="refund").exists()
    failed = Payment.objects.get(kind="refund")
    assert failed.status == FAILED and exc.value.payment.pk == failed.pk
    assert settled.events.filter(data__has_key="refund_failed").exists()
    # The same request may be tried again, and then it moves the money once.
    fake.default = SUCCEEDED
    refund = order_refund(order=settled, amount="40.00", idempotency_key="as:1",
                            actor=merchant, reason="部分退款", line=line)
    assert refund.status == SUCCEEDED and refund.pk != failed.pk
    settled.refresh_from_db()
    assert settled.refunded_amount == D("40.00")
    assert store_balance(store) == D("57.00")


def test_a_pending_refund_stays_reserved_until_the_provider_answers(settled, store, merchant,
                                                                    fake):
    line = settled.lines.get()
    fake.default = PENDING
    refund = order_refund(order=settled, amount="100.00", idempotency_key="as:2",
                            actor=merchant, reason="退货退款", line=line)
    assert refund.status == PENDING
    settled.refresh_from_db()
    assert settled.refunded_amount == D("100.00")  # cannot be refunded twice meanwhile
    assert store_balance(store) == D("0.00")  # the debit is held
    _payment, changed = provider_says(fake, refund, succeeded=False)
    assert changed
    refund.refresh_from_db()
    settled.refresh_from_db()
    line.refresh_from_db()
    assert refund.status == FAILED
    assert settled.refunded_amount == 0 and line.refunded_amount == 0
    assert store_balance(store) == D("95.00")
    assert StoreAccountEntry.objects.filter(kind="refund_reversed").count() == 1
    assert provider_says(fake, refund, succeeded=False)[1] is False
    assert store_balance(store) == D("95.00")
    # A new attempt that the provider confirms later stands.
    again = order_refund(order=settled, amount="100.00", idempotency_key="as:2",
                           actor=merchant, reason="退货退款", line=line)
    provider_says(fake, again, succeeded=True)
    again.refresh_from_db()
    settled.refresh_from_db()
    assert again.status == SUCCEEDED and settled.refunded_amount == D("100.00")
    assert store_balance(store) == D("0.00")
    assert selectors.ledgers_reconcile().problems == []


def test_a_failed_payout_raises_and_a_pending_one_is_confirmed_by_callback(buyer, reviewer,
                                                                           fake, monkeypatch):
    told = []
    monkeypatch.setitem(purposes._PURPOSES, "test.claim", purposes.Purpose(
        "test.claim", on_settled=lambda payment, succeeded, now: told.append(succeeded)))
    fake.default = FAILED
    with pytest.raises(PaymentFailedError) as exc:
        payment_payout(purpose="test.claim", subject_id=1, payee=buyer, amount="30.00",
                       idempotency_key="claim:1", actor=reviewer, reason="先行赔付")
    assert exc.value.code == "payout_failed" and exc.value.payment.status == FAILED
    fake.default = PENDING
    payout = payment_payout(purpose="test.claim", subject_id=1, payee=buyer, amount="30.00",
                            idempotency_key="claim:1", actor=reviewer, reason="先行赔付")
    assert payout.status == PENDING
    provider_says(fake, payout, succeeded=True)
    provider_says(fake, payout, succeeded=True)
    payout.refresh_from_db()
    assert payout.status == SUCCEEDED and payout.confirmed_at is not None
    assert told == [True]  # the owner is told once, however often the provider calls


# --- deposits refunded on closing ---------------------------------------------------------------
@pytest.fixture
def closing(store):
    pay_deposit(store, "500")
    pay_deposit(store, "500", kind="promotion")
    return store


def apply(store, *, own=True, other=True):
    return closure_apply(store=store, actor=store.merchant, refund_store_deposit=own,
                         refund_promotion_deposit=other, now=timezone.now() - timedelta(days=31))


def test_pending_refunds_hold_the_deposits_and_approve_only_once_confirmed(
        closing, reviewer, fake, merchant_client, settings):
    settings.LANGUAGE_CODE = "en"
    application = apply(closing)
    fake.default = PENDING
    closure_approve(application=application, actor=reviewer)
    application.refresh_from_db()
    closing.refresh_from_db()
    assert application.status == ClosureApplication.Status.REFUNDING
    assert closing.status == Store.Status.CLOSING  # not closed before the money arrived
    for kind in ("store", "promotion"):
        held = account(closing, kind)
        assert held.balance == 0 and held.closed_at is not None  # nothing else can take it
    assert DepositEntry.objects.filter(kind="refund").count() == 2
    assert selectors.closure_notice(closing)["closed"] is False
    assert not store_abilities(closing).may_sell
    with pytest.raises(ApplicationError):
        closure_approve(application=application, actor=reviewer)
    page = merchant_client.get("/seller/closure/").content.decode()
    assert "the payment provider is paying the deposits back" in page
    assert f"/seller/closure/{application.pk}/withdraw/" not in page
    store_refund, promotion_refund = (
        Payment.objects.get(idempotency_key=f"closure:{application.pk}:{kind}")
        for kind in ("store", "promotion"))
    provider_says(fake, store_refund, succeeded=True)
    application.refresh_from_db()
    assert application.status == ClosureApplication.Status.REFUNDING
    provider_says(fake, promotion_refund, succeeded=True)
    application.refresh_from_db()
    closing.refresh_from_db()
    assert application.status == ClosureApplication.Status.APPROVED
    assert closing.status == Store.Status.CLOSED
    assert selectors.closure_notice(closing)["closed"] is True
    assert selectors.ledgers_reconcile().problems == []


def test_a_refund_that_fails_at_once_refunds_nothing_and_can_be_retried(closing, reviewer, fake):
    application = apply(closing)
    fake.answers = [FAILED, SUCCEEDED]  # the store deposit fails, the promotion one is paid
    closure_approve(application=application, actor=reviewer)
    application.refresh_from_db()
    closing.refresh_from_db()
    assert application.status == ClosureApplication.Status.PENDING
    assert closing.status == Store.Status.CLOSING
    store_deposit = account(closing, "store")
    assert store_deposit.balance == D("500.00") and store_deposit.closed_at is None
    assert not DepositEntry.objects.filter(kind="refund", account=store_deposit).exists()
    assert account(closing, "promotion").closed_at is not None
    assert application.events.last().data["failed"][0]["deposit"] == "store"
    # Approving again pays what is left.
    closure_approve(application=application, actor=reviewer)
    application.refresh_from_db()
    closing.refresh_from_db()
    assert application.status == ClosureApplication.Status.APPROVED
    assert closing.status == Store.Status.CLOSED
    assert account(closing, "store").balance == 0
    assert Payment.objects.filter(kind="payout", status=SUCCEEDED).count() == 2


def test_a_pending_refund_that_fails_later_puts_the_money_back(closing, reviewer, fake):
    application = apply(closing, other=False)
    fake.default = PENDING
    closure_approve(application=application, actor=reviewer)
    refund = Payment.objects.get(idempotency_key=f"closure:{application.pk}:store")
    provider_says(fake, refund, succeeded=False)
    application.refresh_from_db()
    deposit = account(closing, "store")
    assert application.status == ClosureApplication.Status.PENDING
    assert deposit.balance == D("500.00") and deposit.closed_at is None
    returned = DepositEntry.objects.get(kind="refund_returned")
    assert returned.amount == D("500.00") and returned.payment_id == refund.pk
    # The store deposit is still on its way out: own products stay closed meanwhile.
    assert not store_abilities(closing).may_sell
    fake.default = SUCCEEDED
    closure_approve(application=application, actor=reviewer)
    application.refresh_from_db()
    assert application.status == ClosureApplication.Status.APPROVED
    refunds = list(DepositEntry.objects.filter(kind="refund").order_by("pk")
                   .values_list("cause_id", flat=True))
    assert refunds == [str(application.pk), f"{application.pk}/2"]
    assert account(closing, "store").balance == 0
    assert selectors.ledgers_reconcile().problems == []


# --- a pay-in after the deposit closed ---------------------------------------------------------
def test_a_payin_confirmed_after_the_deposit_closed_is_refunded(closing, reviewer):
    late, _info = deposit_payin_start(store=closing, kind="store", amount=D("100"),
                                      actor=closing.merchant, token=token())
    closure_approve(application=apply(closing), actor=reviewer)
    assert account(closing).closed_at is not None
    _payment, changed = sandbox_pay(late.payment)
    late.refresh_from_db()
    assert changed and late.status == DepositPayIn.Status.REFUNDED
    refund = Payment.objects.get(kind="refund")
    assert (refund.amount, refund.payee_id, refund.purpose, refund.status) == (
        D("100.00"), closing.merchant_id, "deposit.payin_refund", SUCCEEDED)
    assert refund.subject_id == str(late.pk)
    assert account(closing).balance == 0
    assert not DepositEntry.objects.filter(cause_type="payin", cause_id=str(late.pk)).exists()
    assert sandbox_pay(late)[1] is False
    assert Payment.objects.filter(kind="refund").count() == 1
    assert selectors.ledgers_reconcile().problems == []


# --- the buyer's sandbox shortcut --------------------------------------------------------------
def test_the_signed_callback_is_handed_out_only_where_the_sandbox_is_enabled(buyer, merchant,
                                                                            settings):
    order = place(buyer, listed_sku(opened_store(merchant), price="10.00"))
    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = False
    _payment, info = order_payment_start(order=order, actor=buyer)
    assert "sandbox_callback" not in info
    settings.DEBUG = False
    settings.PAYMENT_SANDBOX_ENABLED = True
    _payment, info = order_payment_start(order=order, actor=buyer)
    assert info["sandbox_callback"]["signature"]


# --- what the pages say when the provider has not confirmed --------------------------------------
def test_pages_say_a_payout_is_pending_not_paid(funded, reviewer_client, merchant_client, fake,
                                                settings):
    settings.LANGUAGE_CODE = "en"
    fake.default = PENDING
    w = withdrawal_request(store=funded, amount=D("100"), actor=funded.merchant, token="w1")
    res = reviewer_client.post("/admin/shop/withdrawal/", {
        "action": "approve_selected", "_selected_action": [w.pk]}, follow=True)
    w.refresh_from_db()
    assert w.status == Withdrawal.Status.PAYING
    body = res.content.decode()
    assert "1 being paid out: the payment provider confirms them later." in body
    assert "paid out." not in body.replace("being paid out", "")
    # The merchant's own small withdrawal, paid automatically, is pending too.
    config.set_value("account.withdrawal_auto_max", "500")
    page = merchant_client.get("/seller/account/").content.decode()
    tok = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    res = merchant_client.post("/seller/account/withdraw/", {"amount": "50", "token": tok,
                                                               "confirm": "on"},
                               follow=True)
    assert "the payment provider is paying it out" in res.content.decode()
    assert Withdrawal.objects.get(token=tok).status == Withdrawal.Status.PAYING


def test_the_closure_approval_page_says_the_refund_is_pending(closing, reviewer_client, fake,
                                                              settings):
    settings.LANGUAGE_CODE = "en"
    application = apply(closing)
    fake.default = PENDING
    res = reviewer_client.post(f"/admin/shop/closureapplication/{application.pk}/approve/", {},
                               follow=True)
    application.refresh_from_db()
    assert application.status == ClosureApplication.Status.REFUNDING
    body = res.content.decode()
    assert "the payment provider is paying the deposits back" in body
    assert "the deposits were refunded" not in body
