"""Money of after-sale requests: refunds, platform payouts and deposit deductions."""

import logging
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.money import ZERO, to_money
from disputes import rules, selectors
from disputes.models import (
    AfterSaleRequest,
    Side,
)
from disputes.reasons import R
from disputes.services.transitions import (
    _event,
    _note,
    after_sale_request_lock,
    after_sale_request_transition,
    clock_settings,
)
from payments.models import Payment
from payments.services import PaymentFailedError, payment_payout
from shop.models import Order, OrderLine
from shop.rules.orders import order_can_move
from shop.services.order_payments import (
    order_money_event,
    order_reference,
    order_refund,
    order_refund_settled,
)

logger = logging.getLogger(__name__)
Status = AfterSaleRequest.Status
Kind = AfterSaleRequest.Kind


# --- money ----------------------------------------------------------------------------------
# What the provider answers (payments): SUCCEEDED, the request is refunded; PENDING, it
# waits in "refunding" until the provider settles it and the purpose's handler
# (`after_sale_payment_settled`) is told; FAILED, nothing moved — a person's action fails
# whole, the system's clock puts the request in "refunding" and the refund-check sweep
# tries again later.
AFTERSALE_REFUND = "aftersale.refund"
AFTERSALE_PAYOUT = "aftersale.payout"

def _deduction_cause_id(request, attempt: int) -> str:
    """Each payout attempt has its own deduction (the one of a failed attempt is given
    back), the first one under the request's id."""
    return str(request.pk) if attempt <= 1 else f"{request.pk}/{attempt}"


def _deposit_deduct(request, amount, actor, reason, now, attempt: int = 1):
    try:
        from shop.services.deposits import deposit_deduct
    except ImportError:
        raise ApplicationError(
            _("Deposits are not available yet: the platform cannot pay first."),
            code="deposits_unavailable")
    return deposit_deduct(store=request.store, amount=amount, cause_type="after_sale_request",
                          cause_id=_deduction_cause_id(request, attempt), actor=actor,
                          reason=reason, account="store", now=now)


def _deposit_deduction_give_back(request, attempt: int, *, now) -> None:
    """A payout that finally failed: the deposit deduction made for it must not stand. A
    compensating entry through the deposits service, once per attempt (its token)."""
    from shop.models import DepositEntry
    from shop.services.deposits import deposit_adjust

    entry = DepositEntry.objects.select_related("account").filter(
        account__store_id=request.store_id, account__kind="store",
        kind=DepositEntry.Kind.DEDUCTION, cause_type="after_sale_request",
        cause_id=_deduction_cause_id(request, attempt)).first()
    if entry is None or entry.amount == 0:
        return  # nothing was taken (all of it was uncovered)
    deposit_adjust(
        account=entry.account, amount=-entry.amount, actor=None, now=now,
        token=f"aftersale:{request.pk}:payout-failed:{attempt}",
        reason=R("payout_given_back", id=request.pk))


def _close_order_if_fully_refunded(request, actor, now) -> None:
    """Every line refunded: an order that never shipped gets its postage back too, and an
    order that can still close (not yet completed) closes. Runs after the request's own
    refund succeeded, so a refused postage refund must not undo it: it is noted on the
    timeline and the order stays open (support refunds the postage by hand)."""
    from shop.services.orders import order_close

    order_id = request.order_id
    totals = OrderLine.objects.filter(order_id=order_id).aggregate(
        paid=Sum("paid_amount"), refunded=Sum("refunded_amount"))
    if (totals["refunded"] or ZERO) < (totals["paid"] or ZERO):
        return
    order = Order.objects.get(pk=order_id)
    if order.status == Order.Status.PAID and order.paid_amount > order.refunded_amount:
        try:
            order_refund(order=order, amount=order.paid_amount - order.refunded_amount,
                         idempotency_key=f"aftersale:order:{order.pk}:postage", actor=actor,
                         reason=R("postage_refunded"), now=now)
        except PaymentFailedError as exc:
            logger.warning("order %s: postage refund refused by the provider", order.pk)
            _event(request, request.status, request.status, None, Side.SYSTEM,
                   R("postage_refund_failed"), now, postage_failed=str(exc.payment.amount))
            return
    if order_can_move(order.status, Order.Status.CLOSED):
        order_close(order=order, actor=actor, reason=R("closed_refunded"), now=now)


def _amount_due(request: AfterSaleRequest) -> Decimal:
    ruling = selectors.standing_ruling(request)
    return ruling.net_amount if ruling else request.amount


def _pay_buyer(request: AfterSaleRequest, amount: Decimal, *, actor, reason, now):
    """Ask the provider to return `amount` to the buyer, once per attempt: a refund of the
    line, or — when the platform pays first (先行赔付) — a payout and then the deduction
    from the deposit (after the payout, so a refused payout deducts nothing). Returns the
    Payment, SUCCEEDED or PENDING; raises PaymentFailedError when the provider refuses.
    Counts the attempt on `request` (saved by the caller)."""
    request.refund_attempts += 1
    if request.platform_pays:
        try:
            payment = payment_payout(
                purpose=AFTERSALE_PAYOUT, subject_id=request.pk, payee=request.buyer_id,
                amount=amount, idempotency_key=f"aftersale:{request.pk}:payout", actor=actor,
                reason=str(reason), reference=order_reference(request.order_id),
                data={"order": request.order_id}, now=now)
        except PaymentFailedError as exc:
            order_money_event(request.order_id, actor=actor, now=now,
                              reason=R("payout_failed"),
                              data={"payout_failed": str(amount),
                                    "payment": exc.payment.provider_ref})
            raise
        order_money_event(request.order_id, actor=actor, now=now, reason=reason,
                          data={"payout": str(amount), "payment": payment.provider_ref})
        _deposit_deduct(request, amount, actor, reason, now, attempt=request.refund_attempts)
        return payment
    return order_refund(order=request.order, amount=amount, line=request.line,
                        idempotency_key=f"aftersale:{request.pk}:refund", actor=actor,
                        reason=reason, now=now, purpose=AFTERSALE_REFUND,
                        subject_id=request.pk)


def after_sale_payment_settled(payment: Payment, succeeded: bool, now: datetime) -> None:
    """The provider settled a pending refund or payout of a request (purposes
    ``aftersale.refund`` and ``aftersale.payout``; the payment row is locked). The order's
    side first (a failed refund gives back what it reserved), then the request: refunded,
    or — failed — the deduction of a payout is given back and the refund-check sweep tries
    again at its clock."""
    if payment.kind == Payment.Kind.REFUND:
        order_refund_settled(payment, succeeded, now)
    else:
        order_money_event(
            payment.data.get("order"), actor=None, now=now,
            reason=R("payout_confirmed") if succeeded else R("payout_failed"),
            data={"payout_confirmed" if succeeded else "payout_failed": str(payment.amount),
                  "payment": payment.provider_ref})
    request = after_sale_request_lock(AfterSaleRequest(pk=int(payment.subject_id)))
    if request.status != rules.REFUNDING or request.payment_id != payment.pk:
        return  # an earlier attempt, or the request moved on meanwhile
    if succeeded:
        _refunded(request, payment, actor=None, side=Side.SYSTEM, now=now,
                  reason=R("refund_confirmed"))
        return
    if payment.kind == Payment.Kind.PAYOUT:
        _deposit_deduction_give_back(request, request.refund_attempts, now=now)
    _retry_later(request, payment.amount, now=now, payment=payment)


def _settled_fields(payment, now) -> dict:
    field = "payout_amount" if payment.kind == Payment.Kind.PAYOUT else "refunded_amount"
    return {field: payment.amount, "settled_at": payment.confirmed_at or now,
            "refund_check_at": None}


def _refunded(request, payment, *, actor, side, reason, now, extra=None) -> AfterSaleRequest:
    fields = {**(extra or {}), **_settled_fields(payment, now)}
    request = after_sale_request_transition(request=request, to=rules.REFUNDED, actor=actor,
                                            side=side, reason=reason, now=now, extra=fields)
    if payment.kind == Payment.Kind.REFUND:
        _close_order_if_fully_refunded(request, actor, now)
    return request


def _retry_later(request, amount, *, now, payment=None) -> None:
    """The provider refused (now or after a pending answer): on the timeline, and another
    attempt at refund_check_at."""
    retry_at = rules.refund_check_at(now, clock_settings())
    _note(request, actor=None, side=Side.SYSTEM, now=now,
          fields={"payment": None, "refund_check_at": retry_at,
                  "refund_attempts": request.refund_attempts},
          reason=R("refund_retry_later"),
          data={"refund_failed": str(amount), "retry_at": retry_at.isoformat(),
                **({"payment": payment.provider_ref} if payment is not None else {})})


def _refund_now(request, *, actor, side, reason, now, extra=None) -> AfterSaleRequest:
    """Return what is due to the buyer and finish the request: refunded at once, or
    "refunding" while the provider has not confirmed. When the provider refuses, a person's
    action (actor set) fails whole with nothing written; the system's clock moves the
    request to "refunding" and tries again later."""
    fields = dict(extra or {})
    amount = to_money(_amount_due(request))
    if amount <= 0:
        return after_sale_request_transition(request=request, to=rules.REFUNDED, actor=actor,
                                             side=side, reason=reason, now=now, extra=fields)
    try:
        payment = _pay_buyer(request, amount, actor=actor, reason=reason, now=now)
    except PaymentFailedError as exc:
        if actor is not None:
            raise PaymentFailedError(
                _("The payment provider refused the refund: nothing was refunded and the "
                  "request is unchanged. Please try again later."),
                payment=exc.payment, code=exc.code) from exc
        if request.status != rules.REFUNDING:
            request = after_sale_request_transition(
                request=request, to=rules.REFUNDING, actor=None, side=side, reason=reason,
                now=now, extra=fields)
        _retry_later(request, amount, now=now, payment=exc.payment)
        return request
    fields.update(payment=payment, refund_attempts=request.refund_attempts)
    if payment.status == Payment.Status.SUCCEEDED:
        return _refunded(request, payment, actor=actor, side=side, reason=reason, now=now,
                         extra=fields)
    # Pending: the provider settles it and the request is told; no check is due meanwhile.
    fields["refund_check_at"] = None
    data = {"refund_pending": str(amount), "payment": payment.provider_ref}
    if request.status == rules.REFUNDING:  # another attempt, pending in its turn
        _note(request, actor=actor, side=side, now=now, fields=fields, data=data,
              reason=R("refund_asked_again"))
        return request
    return after_sale_request_transition(
        request=request, to=rules.REFUNDING, actor=actor, side=side, reason=reason, now=now,
        extra=fields, data=data)


def after_sale_request_refund_check(request, *, now) -> AfterSaleRequest:
    """A locked request in "refunding" whose check time has come (called by the sweep):
    the last attempt failed (no payment) → another attempt. A request still holding a
    payment (one written before settlements were told) is read once: pending → it waits to
    be told; confirmed → refunded; failed → as a failure told by the provider. The payment
    is read, not locked: the provider's callback locks the payment first, then the
    request."""
    if request.status != rules.REFUNDING:
        return request
    payment = None
    if request.payment_id is not None:
        payment = Payment.objects.get(pk=request.payment_id)
    if payment is not None and payment.status == Payment.Status.PENDING:
        _note_silently(request, now=now, refund_check_at=None)
        return request
    if payment is not None and payment.status == Payment.Status.SUCCEEDED:
        return _refunded(request, payment, actor=None, side=Side.SYSTEM, now=now,
                         reason=R("refund_confirmed"))
    if payment is not None:  # failed at the provider after a pending answer
        if payment.kind == Payment.Kind.PAYOUT:
            _deposit_deduction_give_back(request, request.refund_attempts, now=now)
        _retry_later(request, payment.amount, now=now, payment=payment)
        return request
    return _refund_now(request, actor=None, side=Side.SYSTEM, now=now,
                       reason=R("refund_tried_again"))


def _note_silently(request, *, now, **fields) -> None:
    for name, value in fields.items():
        setattr(request, name, value)
    AfterSaleRequest.objects.filter(pk=request.pk).update(**fields)


def _send_back(request, *, actor, side, reason, now, address: dict, extra=None):
    """Approved with a return: the buyer gets the return address and the return clocks."""
    fields = {"return_address": address, **(extra or {})}
    return after_sale_request_transition(request=request, to=rules.AWAITING_RETURN,
                                         actor=actor, side=side, reason=reason, now=now,
                                         extra=fields, data={"return_address": address})


