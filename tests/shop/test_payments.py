"""Payments through the sandbox provider: signed callbacks, idempotency, refunds and
payouts exactly once."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from common.errors import ApplicationError
from payments.models import Payment
from payments.providers import payment_provider
from payments.services import payment_callback_handle, payment_payout
from shop.models import Order
from shop.services.order_payments import order_payment_start, order_refund
from shop.services.orders import order_cancel, order_place
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    callback,
    listed_sku,
    pay,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(buyer, merchant):
    return place(buyer, listed_sku(store_for(merchant), price="59.00"), quantity=2)


def test_start_payment_is_idempotent_and_only_for_the_buyer(order, buyer, other_buyer):
    payment, info = order_payment_start(order=order, actor=buyer)
    again, _ = order_payment_start(order=order, actor=buyer)
    assert again.pk == payment.pk
    assert info["payment_ref"] == payment.provider_ref
    assert Decimal(info["amount"]) == order.total_amount == payment.amount
    with pytest.raises(ApplicationError) as exc:
        order_payment_start(order=order, actor=other_buyer)
    assert exc.value.code == "not_yours"


def test_signed_callback_pays_the_order_and_a_repeat_changes_nothing(order, buyer):
    payment, _ = order_payment_start(order=order, actor=buyer)
    body, signature = callback(payment)
    _, changed = payment_callback_handle(provider_name="sandbox", body=body, signature=signature)
    assert changed
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_amount == Decimal("118.00")
    assert order.ship_by == order.paid_at + timedelta(hours=48)
    assert set(order.lines.values_list("paid_amount", flat=True)) == {Decimal("118.00")}
    events = order.events.count()
    _, changed = payment_callback_handle(provider_name="sandbox", body=body, signature=signature)
    assert not changed
    order.refresh_from_db()
    assert order.paid_amount == Decimal("118.00") and order.events.count() == events


@pytest.mark.parametrize("signature", ["", "0" * 64, "not-hex"])
def test_bad_signature_is_refused_and_changes_nothing(order, buyer, signature):
    payment, _ = order_payment_start(order=order, actor=buyer)
    body, _sig = callback(payment)
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        payment_callback_handle(provider_name="sandbox", body=body, signature=signature)
    assert exc.value.code == "bad_signature"
    assert str(exc.value) == "The callback signature is invalid."
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == "pending" and order.status == "pending_payment"


def test_tampered_body_fails_the_signature(order, buyer):
    payment, _ = order_payment_start(order=order, actor=buyer)
    body, signature = callback(payment)
    tampered = body.replace(b"118.00", b"1.00")
    with pytest.raises(ApplicationError) as exc:
        payment_callback_handle(provider_name="sandbox", body=tampered, signature=signature)
    assert exc.value.code == "bad_signature"


def test_amount_mismatch_and_failed_payment(order, buyer):
    payment, _ = order_payment_start(order=order, actor=buyer)
    provider = payment_provider("sandbox")
    body = json.dumps({"payment_ref": payment.provider_ref, "status": "succeeded",
                       "amount": "1.00"}).encode()
    with pytest.raises(ApplicationError) as exc:
        payment_callback_handle(provider_name="sandbox", body=body, signature=provider.sign(body))
    assert exc.value.code == "amount_mismatch"
    body, signature = callback(payment, succeeded=False)
    payment_callback_handle(provider_name="sandbox", body=body, signature=signature)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == "failed" and order.status == "pending_payment"
    # The buyer may try again: a new payment.
    retry, _ = order_payment_start(order=order, actor=buyer)
    assert retry.pk != payment.pk


def test_payment_arriving_after_cancellation_is_refunded(order, buyer):
    payment, _ = order_payment_start(order=order, actor=buyer)
    order_cancel(order=order, actor=buyer)
    body, signature = callback(payment)
    payment_callback_handle(provider_name="sandbox", body=body, signature=signature)
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.paid_amount == order.refunded_amount == payment.amount
    refund = Payment.objects.get(kind="refund")
    assert refund.amount == payment.amount and refund.status == "succeeded"
    payment_callback_handle(provider_name="sandbox", body=body, signature=signature)
    assert Payment.objects.filter(kind="refund").count() == 1


def test_cannot_pay_a_cancelled_order(order, buyer):
    order_cancel(order=order, actor=buyer)
    with pytest.raises(ApplicationError) as exc:
        order_payment_start(order=order, actor=buyer)
    assert exc.value.code == "bad_state"


def test_refund_exactly_once_per_key_and_never_more_than_paid(order, buyer, merchant):
    order = pay(order)
    first = order_refund(order=order, amount="18.00", idempotency_key="as:1", actor=merchant,
                           reason="部分退款")
    again = order_refund(order=order, amount="18.00", idempotency_key="as:1", actor=merchant,
                           reason="部分退款")
    assert first.pk == again.pk
    order.refresh_from_db()
    assert order.refunded_amount == Decimal("18.00")
    with pytest.raises(ApplicationError) as exc:
        order_refund(order=order, amount="5.00", idempotency_key="as:1", actor=merchant,
                       reason="x")
    assert exc.value.code == "idempotency_conflict"
    with pytest.raises(ApplicationError) as exc:
        order_refund(order=order, amount="100.01", idempotency_key="as:2", actor=merchant,
                       reason="too much")
    assert exc.value.code == "refund_too_large"
    order_refund(order=order, amount="100.00", idempotency_key="as:3", actor=merchant,
                   reason="rest")
    order.refresh_from_db()
    assert order.refunded_amount == order.paid_amount
    assert order.events.filter(data__has_key="refund").count() == 2
    assert not Payment.objects.filter(idempotency_key="as:2").exists()


def test_line_refund_is_capped_by_the_line(buyer, merchant):
    store = store_for(merchant)
    a, b = listed_sku(store, price="10.00"), listed_sku(store, price="90.00")
    order = pay(order_place(actor=buyer, items=[{"sku": a.pk, "quantity": 1},
                                                {"sku": b.pk, "quantity": 1}], address=ADDRESS))
    line = order.lines.get(sku=a)
    with pytest.raises(ApplicationError):
        order_refund(order=order, amount="10.01", idempotency_key="l1", actor=merchant,
                       reason="x", line=line)
    order.refresh_from_db()
    assert order.refunded_amount == 0
    order_refund(order=order, amount="10.00", idempotency_key="l2", actor=merchant,
                   reason="x", line=line)
    line.refresh_from_db()
    assert line.refunded_amount == Decimal("10.00")


def test_refund_of_an_unpaid_order_is_refused(order, merchant):
    with pytest.raises(ApplicationError) as exc:
        order_refund(order=order, amount="1.00", idempotency_key="u1", actor=merchant,
                       reason="x")
    assert exc.value.code == "refund_too_large"
    with pytest.raises(ApplicationError) as exc:
        order_refund(order=order, amount="0", idempotency_key="u2", actor=merchant, reason="x")
    assert exc.value.code == "invalid_amount"


def test_payout_exactly_once(buyer, other_buyer, reviewer):
    first = payment_payout(purpose="test.claim", subject_id=7, payee=buyer, amount="30.00",
                           idempotency_key="claim:7", actor=reviewer, reason="先行赔付")
    again = payment_payout(purpose="test.claim", subject_id=7, payee=buyer, amount="30.00",
                           idempotency_key="claim:7", actor=reviewer, reason="先行赔付")
    assert first.pk == again.pk and first.status == "succeeded" and first.reference == ""
    assert Payment.objects.filter(kind="payout").count() == 1
    with pytest.raises(ApplicationError) as exc:
        payment_payout(purpose="test.claim", subject_id=7, payee=other_buyer, amount="30.00",
                       idempotency_key="claim:7", actor=reviewer, reason="x")
    assert exc.value.code == "idempotency_conflict"


def test_unknown_payment_and_garbage_body(order):
    provider = payment_provider("sandbox")
    for body, code in [(b"{}", "bad_callback"), (b"not json", "bad_callback"),
                       (json.dumps({"payment_ref": "nope", "status": "succeeded",
                                    "amount": "1"}).encode(), "unknown_payment")]:
        with pytest.raises(ApplicationError) as exc:
            payment_callback_handle(provider_name="sandbox", body=body,
                                    signature=provider.sign(body))
        assert exc.value.code == code
    assert Order.objects.get(pk=order.pk).status == "pending_payment"
