"""A payment callback and a courier callback each delivered three times — at the same
moment, out of order, and late after the buyer cancelled — have one effect.

The deliveries go through the real webhook URLs, each on its own thread and database
connection, on PostgreSQL. (One after another, the same is proven for every payment
purpose in tests/payments/test_payments_core.py and for a repeated courier event in
tests/shop/test_shipping.py.)"""

import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Payment, PaymentEvent
from payments.providers import payment_provider
from shop.models import Order, OrderEvent, TrackingEvent
from shop.services.order_payments import order_payment_start
from shop.services.orders import order_cancel
from shop.services.shipping import courier_sign
from tests.concurrency import postgres_only, run_threads
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    courier_body,
    listed_sku,
    pay,
    place,
    ship,
    store_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def _payment_callback(payment, succeeded=True):
    provider = payment_provider("sandbox")
    body = provider.callback_body(payment, succeeded=succeeded)
    return body, provider.sign(body)


def _post_payment(body, signature):
    response = APIClient().post("/api/webhooks/payments/sandbox/", body,
                                content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 200, response.content
    return response.json()["changed"]


def _post_courier(body):
    response = APIClient().post("/api/webhooks/couriers/", body, content_type="application/json",
                                HTTP_X_SIGNATURE=courier_sign(body))
    assert response.status_code == 200, response.content
    return response.json()["changed"]


@pytest.fixture
def order(buyer, merchant):
    return place(buyer, listed_sku(store_for(merchant), price="58.00", stock=5))


def test_a_payment_callback_delivered_three_times_at_once_pays_once(order, buyer):
    payment, _info = order_payment_start(order=order, actor=buyer)
    body, signature = _payment_callback(payment)

    changed, errors = run_threads(3, lambda i: _post_payment(body, signature))
    assert errors == [] and sorted(changed) == [False, False, True]
    order.refresh_from_db()
    assert order.status == "paid" and order.paid_amount == payment.amount
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    assert PaymentEvent.objects.filter(payment=payment, to_status="succeeded").count() == 1
    assert not Payment.objects.filter(kind="refund").exists()


def test_failure_and_success_delivered_three_times_in_any_order_pay_once(order, buyer):
    # The provider reported a failure, then the money arrived after all; both reports are
    # delivered three times, shuffled, at once.
    payment, _info = order_payment_start(order=order, actor=buyer)
    deliveries = [_payment_callback(payment, succeeded=ok) for ok in (True, False)] * 3
    random.shuffle(deliveries)

    _changed, errors = run_threads(6, lambda i: _post_payment(*deliveries[i]))
    assert errors == []
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == "succeeded"
    assert order.status == "paid" and order.paid_amount == payment.amount
    assert OrderEvent.objects.filter(order=order, to_status="paid").count() == 1
    assert PaymentEvent.objects.filter(payment=payment, to_status="succeeded").count() == 1
    assert not Payment.objects.filter(kind="refund").exists()


def test_money_arriving_three_times_after_a_cancel_is_refunded_once(order, buyer):
    payment, _info = order_payment_start(order=order, actor=buyer)
    order_cancel(order=order, actor=buyer)
    body, signature = _payment_callback(payment)

    changed, errors = run_threads(3, lambda i: _post_payment(body, signature))
    assert errors == [] and sorted(changed) == [False, False, True]
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.paid_amount == order.refunded_amount == payment.amount
    refund = Payment.objects.get(kind="refund")
    assert refund.amount == payment.amount and refund.status == "succeeded"


def test_a_cancel_racing_three_callbacks_ends_paid_or_refunded_once(order, buyer):
    payment, _info = order_payment_start(order=order, actor=buyer)
    body, signature = _payment_callback(payment)

    def race(i):
        if i == 0:
            return order_cancel(order=order, actor=buyer).status
        return _post_payment(body, signature)

    results, errors = run_threads(4, race)
    assert set(errors) <= {"bad_state"}
    assert sorted(r for r in results if isinstance(r, bool)) == [False, False, True]
    order.refresh_from_db()
    refunds = list(Payment.objects.filter(kind="refund"))
    assert PaymentEvent.objects.filter(payment=payment, to_status="succeeded").count() == 1
    if order.status == "cancelled":  # the cancel came first: the money goes back, once
        assert errors == []
        assert len(refunds) == 1 and refunds[0].amount == payment.amount
        assert order.refunded_amount == order.paid_amount == payment.amount
    else:  # the money came first: the cancel was refused
        assert errors == ["bad_state"] and order.status == "paid" and refunds == []


def test_courier_events_delivered_three_times_out_of_order_apply_once(buyer, merchant):
    with time_machine.travel(timezone.now() - timedelta(days=6), tick=False):
        order = ship(pay(place(buyer, listed_sku(store_for(merchant), price="58.00"))))
    picked_up_at = order.shipped_at + timedelta(hours=2)
    signed_at = picked_up_at + timedelta(days=4)  # after the 72 h pickup clock
    now = timezone.now()
    assert signed_at < now
    bodies = {
        "signed": courier_body(order, "signed", at=signed_at, signed_by="本人"),
        "in_transit": courier_body(order, "in_transit", at=picked_up_at + timedelta(hours=3)),
        "picked_up": courier_body(order, "picked_up", at=picked_up_at),
    }
    # "Signed" is delivered three times at once, before the scans that preceded it...
    changed, errors = run_threads(3, lambda i: _post_courier(bodies["signed"]))
    assert errors == [] and sorted(changed) == [False, False, True]
    # ...which then arrive three times each, all at once.
    late = [bodies["in_transit"], bodies["picked_up"]] * 3
    changed, errors = run_threads(6, lambda i: _post_courier(late[i]))
    assert errors == [] and sorted(changed) == [False] * 4 + [True] * 2

    order = Order.objects.get(pk=order.pk)
    assert order.status == "signed" and order.signed_at == signed_at
    assert order.tracking_status == "signed"
    assert OrderEvent.objects.filter(order=order, to_status="signed").count() == 1
    assert sorted(TrackingEvent.objects.filter(order=order).values_list("kind", flat=True)) == [
        "in_transit", "picked_up", "signed"]
    # The pickup is the courier's pickup scan, though it arrived last: judged by it, the
    # parcel was picked up in time (by the "signed" scan alone it was not).
    assert order.picked_up_at == picked_up_at
    assert picked_up_at <= order.pickup_by < signed_at and not order.pickup_late
    assert order.complete_by == signed_at + timedelta(days=7)
