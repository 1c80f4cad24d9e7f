"""Refunds and payouts the payment provider does not settle at once.

The provider is a fake with the real interface (payments.providers): it answers each
refund or payout with the next status queued in `answers` (then `default`) and signs its
callbacks like the sandbox. For merchant approval of a refund only, the 10-day automatic
refund and a ruling paid first by the platform (先行赔付), each of: PENDING then SUCCEEDED,
PENDING then FAILED (then a successful retry), FAILED at once. In the end the money moved
exactly once, the request is refunded, and the deposit ledger holds one net deduction."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from common.errors import ApplicationError
from disputes import services, sweeps
from disputes.models import AfterSaleEvent, Ruling
from payments import providers
from payments.models import Payment
from payments.providers import SandboxProvider
from payments.services import PaymentFailedError, payment_callback_handle
from shop.models import DepositEntry, Order, OrderLine
from shop.selectors.deposits import ledgers_reconcile
from tests.disputes.aftersale_factories import (
    START,
    deposit_balance,
    escalate_and_take,
    fresh,
    fund_deposit,
    open_request,
    paid_order,
    rule,
    signed_order,
    sku_for,
)

pytestmark = pytest.mark.django_db

PENDING, SUCCEEDED, FAILED = (Payment.Status.PENDING, Payment.Status.SUCCEEDED,
                              Payment.Status.FAILED)
RETRY = timedelta(minutes=30)  # aftersale.refund_retry_minutes


class FakeProvider(SandboxProvider):
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


def provider_says(provider, payment, *, succeeded):
    body = provider.callback_body(payment, succeeded=succeeded)
    return payment_callback_handle(provider_name=provider.name, body=body,
                                   signature=provider.sign(body))


def in_flight(request) -> Payment:
    return Payment.objects.get(pk=fresh(request).payment_id)


def succeeded(kind, request) -> list[Payment]:
    return list(Payment.objects.filter(kind=kind, status=SUCCEEDED,
                                       idempotency_key=f"aftersale:{request.pk}:{kind}"))


def failed_events(request):
    return AfterSaleEvent.objects.filter(request=request, data__has_key="refund_failed")


# --- merchant approves a refund only ---------------------------------------------------------
@pytest.fixture
def refund_only(travel, buyer, store):
    travel(START)
    order = paid_order(buyer, sku_for(store))  # 100.00, free shipping, not shipped
    return order, open_request(order, kind="refund_only", reason="no_reason")


def approve(request, merchant):
    return services.after_sale_request_approve(request=request, actor=merchant,
                                               return_required=False)


def test_approve_refused_by_the_provider_fails_whole_and_can_be_done_again(
        refund_only, merchant, fake):
    order, request = refund_only
    events = AfterSaleEvent.objects.filter(request=request).count()
    fake.default = FAILED
    with translation.override("en"), pytest.raises(PaymentFailedError) as refused:
        approve(request, merchant)
    assert refused.value.code == "refund_failed"
    assert "nothing was refunded" in str(refused.value.message)
    request = fresh(request)
    assert request.status == "pending" and request.refunded_amount == 0
    assert request.payment_id is None and request.refund_attempts == 0
    assert AfterSaleEvent.objects.filter(request=request).count() == events
    order.refresh_from_db()
    assert order.refunded_amount == 0 and order.status == "paid"
    assert not Payment.objects.filter(kind="refund").exists()  # rolled back with the action
    fake.default = SUCCEEDED
    approve(request, merchant)
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
    assert len(succeeded("refund", request)) == 1


def test_approve_pending_then_confirmed(refund_only, travel, merchant, fake, merchant_client,
                                       buyer_api):
    order, request = refund_only
    fake.answers = [PENDING]
    approve(request, merchant)
    request = fresh(request)
    assert request.status == "refunding" and request.refunded_amount == 0
    # Nothing to look at meanwhile: the request is told when the provider settles it.
    assert request.refund_check_at is None and request.next_deadline is None
    assert not request.finished and request.settled_at is None
    payment = in_flight(request)
    assert payment.status == PENDING
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("100.00")  # held: cannot be refunded twice
    assert order.status == "paid"  # not closed before the money left
    # Both sides see the refund in progress; nobody can act on it meanwhile.
    assert "data-refunding" in merchant_client.get(
        f"/seller/after-sales/{request.pk}/").content.decode()
    body = buyer_api.get(f"/api/buyer/after-sales/{request.pk}/").json()
    assert body["status"] == "refunding"
    assert str(request.get_status_display()) == body["status_label"]
    with pytest.raises(ApplicationError):
        approve(request, merchant)
    # The sweep has nothing to do with a pending refund.
    assert sweeps.refund_check(START + 2 * RETRY) == 0
    travel(START + 2 * RETRY)
    provider_says(fake, payment, succeeded=True)
    _p, changed = provider_says(fake, payment, succeeded=True)  # delivered again
    assert not changed
    assert sweeps.refund_check(START + 3 * RETRY) == 0
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
    assert request.refund_check_at is None and request.finished
    assert len(succeeded("refund", request)) == 1
    order.refresh_from_db()
    assert order.status == "closed" and order.refunded_amount == Decimal("100.00")
    assert [(e.from_status, e.to_status) for e in request.events.order_by("at", "pk")][-2:] == [
        ("pending", "refunding"), ("refunding", "refunded")]


def test_approve_pending_then_failed_is_retried_once_more(refund_only, travel, merchant, fake):
    order, request = refund_only
    fake.answers = [PENDING]
    approve(request, merchant)
    first = in_flight(request)
    provider_says(fake, first, succeeded=False)
    order.refresh_from_db()
    assert order.refunded_amount == 0  # released by the provider's answer
    # The request is told at once: the failure is on its timeline, a retry is due later.
    request = fresh(request)
    assert request.status == "refunding" and request.payment_id is None
    assert request.refund_check_at == START + RETRY
    assert failed_events(request).count() == 1
    provider_says(fake, first, succeeded=False)  # delivered again: nothing more
    assert failed_events(request).count() == 1
    assert sweeps.refund_check(START + RETRY - timedelta(seconds=1)) == 0
    travel(START + RETRY)
    assert sweeps.refund_check(START + RETRY) == 1  # the provider now pays at once
    assert sweeps.refund_check(START + RETRY) == 0
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
    assert request.refund_attempts == 2
    assert len(succeeded("refund", request)) == 1
    assert Payment.objects.filter(kind="refund", status=FAILED).count() == 1
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("100.00") and order.status == "closed"
    assert OrderLine.objects.get(order=order).refunded_amount == Decimal("100.00")


# --- the 10-day automatic refund ---------------------------------------------------------------
@pytest.fixture
def two_returns(travel, buyer, merchant, store, return_address):
    """Two return-and-refund requests whose return shipped at START; due at START + 10 d."""
    travel(START)
    requests = []
    for n in range(2):
        order = signed_order(buyer, sku_for(store))
        request = open_request(order, kind="return_refund", reason="quality")
        services.after_sale_request_approve(request=request, actor=merchant,
                                            return_required=True)
        services.after_sale_request_ship_return(request=request, actor=buyer, courier="sf",
                                                waybill_number=f"SF12345678{n}")
        requests.append(fresh(request))
    return requests


DUE = START + timedelta(days=10)


def test_auto_refund_refused_for_one_request_does_not_stop_the_other(two_returns, travel,
                                                                     fake):
    failing, paid = two_returns
    fake.answers = [FAILED, SUCCEEDED]
    travel(DUE)
    assert sweeps.auto_receive(DUE) == 2
    assert sweeps.auto_receive(DUE) == 0  # the refused one is no longer due here
    failing, paid = fresh(failing), fresh(paid)
    assert paid.status == "refunded" and len(succeeded("refund", paid)) == 1
    assert failing.status == "refunding" and failing.refunded_amount == 0
    assert failing.payment_id is None and failing.refund_check_at == DUE + RETRY
    assert failed_events(failing).count() == 1
    # The refused attempt is kept as a record; the order holds nothing.
    assert Payment.objects.filter(kind="refund", status=FAILED).count() == 1
    assert Order.objects.get(pk=failing.order_id).refunded_amount == 0
    assert sweeps.refund_check(DUE + RETRY - timedelta(seconds=1)) == 0
    travel(DUE + RETRY)
    assert sweeps.refund_check(DUE + RETRY) == 1
    assert sweeps.refund_check(DUE + RETRY) == 0
    failing = fresh(failing)
    assert failing.status == "refunded" and failing.refunded_amount == Decimal("100.00")
    assert len(succeeded("refund", failing)) == 1
    assert Order.objects.get(pk=failing.order_id).refunded_amount == Decimal("100.00")


def test_auto_refund_pending_then_confirmed(two_returns, travel, fake):
    fake.default = PENDING
    travel(DUE)
    assert sweeps.auto_receive(DUE) == 2
    assert sweeps.auto_receive(DUE) == 0
    for request in two_returns:
        assert fresh(request).status == "refunding"
        provider_says(fake, in_flight(request), succeeded=True)
    travel(DUE + RETRY)
    assert sweeps.refund_check(DUE + RETRY, batch_size=1) == 0  # told, nothing to check
    for request in two_returns:
        request = fresh(request)
        assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
        assert request.received_at == DUE
        assert len(succeeded("refund", request)) == 1
        assert Payment.objects.filter(reference=f"order:{request.order_id}", kind="refund").count() == 1


def test_auto_refund_pending_then_failed_then_retried(two_returns, travel, fake):
    request = two_returns[0]
    fake.default = PENDING
    travel(DUE)
    sweeps.auto_receive(DUE)
    provider_says(fake, in_flight(request), succeeded=False)
    assert failed_events(request).count() == 1
    assert fresh(request).status == "refunding" and fresh(request).payment_id is None
    assert fresh(two_returns[1]).payment_id is not None
    fake.default = SUCCEEDED
    travel(DUE + RETRY)
    assert sweeps.refund_check(DUE + RETRY) == 1  # only the failed one; the other waits
    request = fresh(request)
    assert request.status == "refunded" and len(succeeded("refund", request)) == 1
    assert Order.objects.get(pk=request.order_id).refunded_amount == Decimal("100.00")
    assert fresh(two_returns[1]).status == "refunding"  # still waiting for its answer


# --- a ruling paid first by the platform (先行赔付) ----------------------------------------------
@pytest.fixture
def escalated(travel, buyer, agent, store):
    fund_deposit(store, "500.00")
    travel(START)
    order = signed_order(buyer, sku_for(store))
    request = open_request(order, kind="refund_only", reason="wrong_or_missing")
    return escalate_and_take(request, by=buyer, agent=agent)


def pay_first(request, agent):
    return rule(request, agent, outcome="full_refund", fault="merchant_wrong_item",
                platform_pays_first=True)


def deductions(store):
    return sorted(DepositEntry.objects.filter(account__store=store, kind="deduction")
                  .values_list("cause_id", "amount"))


def test_pay_first_refused_writes_no_ruling_and_deducts_nothing(escalated, store, agent,
                                                                fake):
    fake.default = FAILED
    with pytest.raises(PaymentFailedError) as refused:
        pay_first(escalated, agent)
    assert refused.value.code == "payout_failed"
    request = fresh(escalated)
    assert request.status == "escalated" and request.payout_amount == 0
    assert not request.platform_pays and request.ruled_at is None
    assert not Ruling.objects.exists()
    assert deposit_balance(store) == Decimal("500.00") and deductions(store) == []
    assert not Payment.objects.filter(kind="payout").exists()
    assert not AfterSaleEvent.objects.filter(request=request, data__has_key="violation").exists()
    fake.default = SUCCEEDED
    pay_first(request, agent)
    request = fresh(request)
    assert request.status == "refunded" and request.payout_amount == Decimal("100.00")
    assert deposit_balance(store) == Decimal("400.00")
    assert deductions(store) == [(str(request.pk), Decimal("-100.00"))]


def test_pay_first_pending_then_confirmed_deducts_once(escalated, store, agent, travel, fake,
                                                       agent_client):
    fake.default = PENDING
    pay_first(escalated, agent)
    request = fresh(escalated)
    assert request.status == "refunding" and request.payout_amount == 0
    assert deposit_balance(store) == Decimal("400.00")  # deducted while the payout is held
    assert "data-refunding" in agent_client.get(
        f"/support/cases/{request.pk}/").content.decode()
    with pytest.raises(ApplicationError):  # no reopening while money is in flight
        services.ruling_reopen(ruling=Ruling.objects.get(), actor=agent, reason="x")
    travel(START + RETRY)
    assert sweeps.refund_check(START + RETRY) == 0  # pending: nothing to check
    assert deposit_balance(store) == Decimal("400.00")
    provider_says(fake, in_flight(request), succeeded=True)
    provider_says(fake, Payment.objects.get(kind="payout"), succeeded=True)  # again
    assert sweeps.refund_check(START + 2 * RETRY) == 0
    request = fresh(request)
    assert request.status == "refunded" and request.payout_amount == Decimal("100.00")
    assert len(succeeded("payout", request)) == 1
    assert deposit_balance(store) == Decimal("400.00")
    assert deductions(store) == [(str(request.pk), Decimal("-100.00"))]
    assert not DepositEntry.objects.filter(kind="adjustment").exists()
    assert ledgers_reconcile().problems == []


def test_pay_first_pending_then_failed_gives_the_deduction_back_and_retries(
        escalated, store, agent, travel, fake):
    fake.default = PENDING
    pay_first(escalated, agent)
    request = fresh(escalated)
    payout = in_flight(request)
    provider_says(fake, payout, succeeded=False)
    provider_says(fake, payout, succeeded=False)  # delivered twice: one effect
    request = fresh(request)
    assert request.status == "refunding" and request.payment_id is None
    assert request.refund_check_at == START + RETRY
    assert failed_events(request).count() == 1
    # The deduction does not stand: a compensating entry gives it back, once.
    assert deposit_balance(store) == Decimal("500.00")
    back = DepositEntry.objects.get(kind="adjustment")
    assert back.amount == Decimal("100.00") and back.actor is None
    assert back.cause_id == f"aftersale:{request.pk}:payout-failed:1"
    fake.default = SUCCEEDED
    travel(START + RETRY)
    assert sweeps.refund_check(START + RETRY) == 1
    assert sweeps.refund_check(START + RETRY) == 0
    request = fresh(request)
    assert request.status == "refunded" and request.payout_amount == Decimal("100.00")
    assert request.refund_attempts == 2
    assert len(succeeded("payout", request)) == 1
    assert Payment.objects.filter(kind="payout", status=FAILED).count() == 1
    # Net: exactly one deduction of 100.00 stands.
    assert deposit_balance(store) == Decimal("400.00")
    assert deductions(store) == [(str(request.pk), Decimal("-100.00")),
                                 (f"{request.pk}/2", Decimal("-100.00"))]
    assert DepositEntry.objects.filter(kind="adjustment").count() == 1
    assert ledgers_reconcile().problems == []
    # The order's own refund total is untouched by a payout.
    assert Order.objects.get(pk=request.order_id).refunded_amount == 0
