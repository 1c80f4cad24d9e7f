"""The payments app: its transition table, the purpose registry and its system check, and
the provider's callback reaching the owner of each purpose exactly once."""

from decimal import Decimal

import pytest
from django.core import checks
from rest_framework.test import APIClient

from payments import purposes, rules
from payments.checks import payment_purposes_have_handlers
from payments.models import Payment, PaymentEvent
from payments.providers import _PROVIDERS, SandboxProvider
from payments.services import payment_payout, payment_refund, payment_start, sandbox_pay
from shop.models import DepositPayIn, Order
from shop.services.deposits import deposit_payin_start
from shop.services.order_payments import order_payment_start
from shop.services.orders import order_cancel
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db

KINDS = [rules.PAYMENT, rules.REFUND, rules.PAYOUT]
STATUSES = [rules.PENDING, rules.SUCCEEDED, rules.FAILED]
ALLOWED = {
    (rules.PAYMENT, rules.PENDING, rules.SUCCEEDED), (rules.PAYMENT, rules.PENDING, rules.FAILED),
    (rules.PAYMENT, rules.FAILED, rules.SUCCEEDED),
    (rules.REFUND, rules.PENDING, rules.SUCCEEDED), (rules.REFUND, rules.PENDING, rules.FAILED),
    (rules.PAYOUT, rules.PENDING, rules.SUCCEEDED), (rules.PAYOUT, rules.PENDING, rules.FAILED),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("old", STATUSES)
@pytest.mark.parametrize("new", STATUSES)
def test_transition_table(kind, old, new):
    assert rules.payment_can_move(kind, old, new) == ((kind, old, new) in ALLOWED)


def test_only_failed_money_out_frees_its_key():
    assert rules.payment_frees_key(rules.REFUND, rules.FAILED)
    assert rules.payment_frees_key(rules.PAYOUT, rules.FAILED)
    assert not rules.payment_frees_key(rules.PAYMENT, rules.FAILED)
    assert not rules.payment_frees_key(rules.REFUND, rules.SUCCEEDED)


def test_every_owner_registers_its_purposes():
    assert set(purposes.registered()) >= {
        "order.payment", "order.refund", "store_account.withdrawal", "deposit.payin",
        "deposit.payin_refund", "deposit.closure_refund", "aftersale.refund",
        "aftersale.payout",
    }


def test_a_purpose_without_a_handler_fails_the_system_check(buyer):
    assert payment_purposes_have_handlers(databases=["default"]) == []
    payment_start(purpose="nobody.owns_this", subject_id=1, amount="1.00",
                  idempotency_key="k1", actor=buyer)
    errors = payment_purposes_have_handlers(databases=["default"])
    assert [e.id for e in errors] == ["payments.E001"]
    assert "nobody.owns_this" in errors[0].msg and errors[0].level == checks.ERROR


class Pending(SandboxProvider):
    name = "pending"

    def refund(self, payment):
        return rules.PENDING

    def payout(self, payment):
        return rules.PENDING


@pytest.fixture
def pending(monkeypatch, settings):
    monkeypatch.setitem(_PROVIDERS, "pending", Pending())
    settings.PAYMENT_PROVIDER = "pending"
    return _PROVIDERS["pending"]


def _post(provider, payment, succeeded=True):
    body = provider.callback_body(payment, succeeded=succeeded)
    return APIClient().post(f"/api/webhooks/payments/{provider.name}/", body,
                            content_type="application/json",
                            HTTP_X_SIGNATURE=provider.sign(body))


@pytest.mark.parametrize("purpose", sorted([
    "order.payment", "order.refund", "store_account.withdrawal", "deposit.payin",
    "deposit.payin_refund", "deposit.closure_refund", "aftersale.refund", "aftersale.payout",
]))
@pytest.mark.parametrize("succeeded", [True, False])
def test_a_callback_reaches_the_owner_of_its_purpose_once(purpose, succeeded, pending, buyer,
                                                          monkeypatch):
    told = []
    registered = purposes.get(purpose)
    monkeypatch.setitem(purposes._PURPOSES, purpose, purposes.Purpose(
        purpose, on_settled=lambda p, ok, now: told.append((p.pk, ok))))
    assert registered is not None
    if purpose in ("order.payment", "deposit.payin"):
        payment = payment_start(purpose=purpose, subject_id=7, amount="9.90",
                                idempotency_key="k", actor=buyer)
    elif purpose.endswith("refund"):
        payment = payment_refund(purpose=purpose, subject_id=7, payee=buyer, amount="9.90",
                                 idempotency_key="k", actor=None, reason="r")
    else:
        payment = payment_payout(purpose=purpose, subject_id=7, payee=buyer, amount="9.90",
                                 idempotency_key="k", actor=None, reason="r")
    assert payment.status == rules.PENDING
    answers = [_post(pending, payment, succeeded) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["changed"] for a in answers] == [True, False, False]
    assert told == [(payment.pk, succeeded)]
    assert list(PaymentEvent.objects.filter(payment=payment).values_list(
        "from_status", "to_status")) == [
        ("", "pending"), ("pending", "succeeded" if succeeded else "failed")]


def test_money_arriving_after_a_failed_callback_pays_the_order(buyer, merchant):
    order = place(buyer, listed_sku(store_for(merchant), price="20.00"))
    payment, _info = order_payment_start(order=order, actor=buyer)
    assert sandbox_pay(payment, succeeded=False)[1] is True
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING_PAYMENT
    _p, changed = sandbox_pay(payment)
    assert changed
    order.refresh_from_db()
    assert order.status == Order.Status.PAID and order.paid_amount == Decimal("20.00")
    assert sandbox_pay(payment)[1] is False  # and only once


def test_money_arriving_after_a_failed_callback_for_a_cancelled_order_goes_back(buyer,
                                                                               merchant):
    order = place(buyer, listed_sku(store_for(merchant), price="20.00"))
    payment, _info = order_payment_start(order=order, actor=buyer)
    sandbox_pay(payment, succeeded=False)
    order_cancel(order=order, actor=buyer)
    sandbox_pay(payment)
    sandbox_pay(payment)
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.paid_amount == order.refunded_amount == Decimal("20.00")
    refund = Payment.objects.get(kind="refund")
    assert (refund.purpose, refund.amount, refund.payee_id) == ("order.refund",
                                                                Decimal("20.00"), buyer.pk)


def test_a_deposit_payin_reported_failed_then_paid_credits_the_deposit_once(merchant):
    store = store_for(merchant)
    payin, _info = deposit_payin_start(store=store, kind="store", amount="300.00",
                                       actor=merchant, token="t1")
    sandbox_pay(payin.payment, succeeded=False)
    payin.refresh_from_db()
    assert payin.status == DepositPayIn.Status.FAILED
    sandbox_pay(payin.payment)
    sandbox_pay(payin.payment)
    payin.refresh_from_db()
    assert payin.status == DepositPayIn.Status.SUCCEEDED
    assert payin.account.entries.filter(cause_type="payin").count() == 1
    assert payin.account.entries.get(cause_type="payin").payment_id == payin.payment_id
