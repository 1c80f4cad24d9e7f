"""An order's money: the buyer paying it, refunds of it (whole, or one line), and what
happens when the provider settles them. The money itself moves through `payments`; this
module keeps the order's side — its paid and refunded amounts, its timeline, the store
account's debit for a refund after settlement — in the same transaction.

Purposes owned here (registered in shop.purposes):
- ``order.payment``: the buyer pays; money that arrives for an order no longer payable
  (cancelled meanwhile, or paid twice) is taken in and sent straight back;
- ``order.refund``: a refund of an order (or one line) that is not an after-sale request's
  (money arriving late, the postage of an order refunded in full). After-sale refunds go
  through `order_refund` too, under their own purpose, and their handler calls
  `order_refund_settled` first."""

from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.money import to_money
from common.reasons import reason_fields
from payments import selectors as payment_selectors
from payments.models import Payment
from payments.services import (
    PaymentFailedError,
    payment_instructions,
    payment_refund,
    payment_start,
)
from shop import order_extensions
from shop.models import Order, OrderEvent, OrderLine
from shop.reasons import R
from shop.services.accounts import (
    store_account_refund_after_settlement,
    store_account_refund_reverse,
)
from shop.services.invoices import invoice_order_refunded
from shop.services.orders import order_lock, order_mark_paid

ORDER_PAYMENT = "order.payment"
ORDER_REFUND = "order.refund"


def order_reference(order_id) -> str:
    """The label every payment concerning an order is filed under."""
    return f"order:{order_id}"


def order_money_event(order_id, *, actor, now, reason, data) -> None:
    status = Order.objects.values_list("status", flat=True).get(pk=order_id)
    OrderEvent.objects.create(order_id=order_id, from_status=status, to_status=status,
                              actor=actor, at=now, data=data, **reason_fields(reason))


# --- paying ---------------------------------------------------------------------------------
def order_payment_start(*, order: Order, actor, now: datetime | None = None
                        ) -> tuple[Payment, dict]:
    """The buyer pays an unpaid order: a pending payment (the same one if asked again)
    and what the app needs to pay it."""
    now = now or timezone.now()
    with transaction.atomic():
        order = order_lock(order)
        if actor is None or order.buyer_id != actor.pk:
            raise ApplicationError(_("This is not your order."), code="not_yours")
        if order.status != Order.Status.PENDING_PAYMENT:
            raise ApplicationError(_("This order is not awaiting payment."), code="bad_state")
        if order.pay_by and order.pay_by <= now:
            raise ApplicationError(_("The time to pay this order has run out."),
                                   code="payment_expired")
        payment = payment_selectors.payment_pending(
            purpose=ORDER_PAYMENT, subject_id=order.pk, amount=order.total_amount)
        if payment is None:
            attempt = payment_selectors.payment_attempts(purpose=ORDER_PAYMENT,
                                                         subject_id=order.pk) + 1
            payment = payment_start(
                purpose=ORDER_PAYMENT, subject_id=order.pk, amount=order.total_amount,
                idempotency_key=f"order:{order.pk}:pay:{attempt}", actor=actor,
                reference=order_reference(order.pk), now=now,
            )
    return payment, payment_instructions(payment)


def order_payment_settled(payment: Payment, succeeded: bool, now: datetime) -> None:
    """The provider settled a buyer's payment (row locked). Paid: the order is paid if it
    still awaits payment; otherwise the money is taken in and sent straight back."""
    if not succeeded:
        return
    order = order_lock(Order(pk=int(payment.subject_id)))
    if order.status == Order.Status.PENDING_PAYMENT:
        order_mark_paid(order=order, amount=payment.amount, now=now,
                        payment_ref=payment.provider_ref)
        return
    # Money arrived for an order that was cancelled meanwhile (or paid twice, or reported
    # failed first): take it in and send it straight back.
    Order.objects.filter(pk=order.pk).update(paid_amount=F("paid_amount") + payment.amount)
    order_refund(order=order, amount=payment.amount, idempotency_key=f"auto-refund:{payment.pk}",
                 actor=None, reason=R("late_payment_refunded"), now=now)


# --- refunds --------------------------------------------------------------------------------
def _reserve(order_id, line_id, amount) -> None:
    taken = Order.objects.filter(
        pk=order_id, refunded_amount__lte=F("paid_amount") - amount
    ).update(refunded_amount=F("refunded_amount") + amount)
    if taken and line_id is not None:
        taken = OrderLine.objects.filter(
            pk=line_id, order_id=order_id, refunded_amount__lte=F("paid_amount") - amount
        ).update(refunded_amount=F("refunded_amount") + amount)
    if not taken:
        raise ApplicationError(_("The refund is more than what is left to refund."),
                               code="refund_too_large")


def _release(order_id, line_id, amount) -> None:
    Order.objects.filter(pk=order_id).update(refunded_amount=F("refunded_amount") - amount)
    if line_id is not None:
        OrderLine.objects.filter(pk=line_id).update(refunded_amount=F("refunded_amount") - amount)


def order_refund(
    *, order: Order, amount, idempotency_key: str, actor, reason: str,
    line: OrderLine | None = None, now: datetime | None = None,
    purpose: str = ORDER_REFUND, subject_id=None,
) -> Payment:
    """Refund part or all of what was paid for an order (or one line), exactly once per
    idempotency key. Never more than was paid. The order's status is the caller's
    business (e.g. order_close after a full refund).

    The refunded amount (and, after settlement, the store-account debit) is reserved while
    the provider answers SUCCEEDED or PENDING; a PENDING refund is confirmed or released
    when it settles (`order_refund_settled`). If the provider answers FAILED, nothing
    stays reserved and `PaymentFailedError` is raised."""
    now = now or timezone.now()
    amount = to_money(amount)
    subject_id = order.pk if subject_id is None else subject_id
    line_id = line.pk if line is not None else None
    request = {"purpose": purpose, "subject_id": subject_id, "payee": order.buyer_id,
               "amount": amount, "idempotency_key": idempotency_key, "actor": actor,
               "reason": reason, "reference": order_reference(order.pk),
               "data": {"order": order.pk, **({"line": line_id} if line_id else {})},
               "now": now}
    if amount <= 0:
        return payment_refund(**request)  # refused by payments, with its message
    failed = None
    with transaction.atomic():
        # The order's row serialises refunds of it: a second request under the same key
        # waits here and then finds the first one instead of reserving the amount again.
        order_lock(order)
        if payment_selectors.payment_live(idempotency_key) is not None:
            return payment_refund(**request)  # the first result, or a conflict
        _reserve(order.pk, line_id, amount)
        try:
            payment = payment_refund(**request)
        except PaymentFailedError as exc:
            failed = exc
            _release(order.pk, line_id, amount)
            order_money_event(order.pk, actor=actor, now=now,
                              reason=R("refund_failed"),
                              data={"refund_failed": str(amount),
                                    "payment": exc.payment.provider_ref})
        else:
            order_money_event(order.pk, actor=actor, now=now, reason=reason,
                              data={"refund": str(amount), "payment": payment.provider_ref})
            # An invoice issued for more than is now paid needs a red-letter correction.
            invoice_order_refunded(order_id=order.pk, actor=actor, now=now)
            # The promotions' share follows the refund (a promoter's commission)
            order_extensions.refunded(order, payment, now)
            # A refund after settlement takes the money back from the store account (held
            # there while the refund is pending).
            store_account_refund_after_settlement(order=order, payment=payment, actor=actor,
                                                  now=now)
    if failed is not None:
        raise failed
    return payment


def order_refund_settled(payment: Payment, succeeded: bool, now: datetime) -> None:
    """A pending refund of an order settled: confirmed, or failed — then what it reserved
    on the order (and line) is given back and the store-account debit reversed."""
    order_id = payment.data.get("order")
    if order_id is None:
        return
    if succeeded:
        order_money_event(order_id, actor=None, now=now,
                          reason=R("refund_confirmed"),
                          data={"refund_confirmed": str(payment.amount),
                                "payment": payment.provider_ref})
        return
    _release(order_id, payment.data.get("line"), payment.amount)
    order_extensions.refund_failed(order_id, payment, now)
    store_account_refund_reverse(payment=payment, actor=None, now=now)
    order_money_event(order_id, actor=None, now=now,
                      reason=R("refund_failed"),
                      data={"refund_failed": str(payment.amount),
                            "payment": payment.provider_ref})


def order_payments(order: Order):
    """Every payment concerning an order (paying, refunds, payouts), oldest first."""
    return payment_selectors.payments_for_reference(order_reference(order.pk))
