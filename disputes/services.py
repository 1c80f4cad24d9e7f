"""Every write of after-sales and arbitration.

One transition service, `after_sale_request_transition`, performs every status change of
a request: it checks the rules table, sets the clocks of the new state (clearing the
others) and the columns the lists order by (next_deadline, finished), saves with
update_fields and appends an AfterSaleEvent. Changes that are not
status moves (contacted, a missed clock, a message) append an event with from == to.

Money moves exactly once per request: refunds through `payment_refund` with the key
``aftersale:<id>:refund``; when the platform pays first (先行赔付), `payment_payout` with
``aftersale:<id>:payout`` and then one deposit deduction per attempt whose cause is the
request (``<id>``, then ``<id>/<attempt>``). The provider may answer later (the request
waits in "refunding" until the refund-check sweep reads the answer) or refuse (the key is
freed: a person's action fails whole; the system tries again, and a payout that failed
after its deduction gets the deduction given back).
"""

import logging
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import config, roles
from common.errors import ApplicationError
from common.money import ZERO, to_money
from common.uploads import reencode_image, sanitize_filename, validate_upload
from disputes import rules, selectors
from disputes.models import (
    AfterSaleAttachment,
    AfterSaleEvent,
    AfterSaleEvidence,
    AfterSaleMessage,
    AfterSaleRequest,
    MerchantReturnAddress,
    RefusedParcelIntake,
    Ruling,
    Side,
)
from payments.models import Payment
from payments.services import PaymentFailedError, payment_payout
from shop.models import Order, OrderLine, TrackingEvent
from shop.rules.orders import ADDRESS_FIELDS, COURIERS, PHONE_RE, WAYBILL_RE, order_can_move
from shop.services.order_payments import (
    order_money_event,
    order_reference,
    order_refund,
    order_refund_settled,
)

logger = logging.getLogger(__name__)
Status = AfterSaleRequest.Status
Kind = AfterSaleRequest.Kind
Reason = AfterSaleRequest.Reason


def clock_settings() -> rules.ClockSettings:
    return rules.ClockSettings(**{
        name: config.get(f"aftersale.{name}")
        for name in rules.ClockSettings.__dataclass_fields__
    })


# --- events and the transition service ----------------------------------------------------
def _event(request, old, new, actor, side, reason, now, **data) -> AfterSaleEvent:
    return AfterSaleEvent.objects.create(
        request=request, from_status=old, to_status=new, actor=actor, side=side,
        reason=str(reason), at=now, data=data,
    )


def _bad_move(old: str, new: str) -> ApplicationError:
    return ApplicationError(
        _("An after-sale request cannot go from “%(old)s” to “%(new)s”.")
        % {"old": Status(old).label, "new": Status(new).label},
        code="bad_state",
    )


def after_sale_request_lock(request: AfterSaleRequest) -> AfterSaleRequest:
    """The request row, locked for the rest of the transaction (fresh from the database)."""
    return AfterSaleRequest.objects.select_for_update(of=("self",)).select_related(
        "order", "line", "store").get(pk=request.pk)


def after_sale_request_transition(
    *, request: AfterSaleRequest, to: str, actor, side: str, reason: str = "",
    now: datetime | None = None, extra: dict | None = None, data: dict | None = None,
) -> AfterSaleRequest:
    """Move a locked request to `to`. Runs inside the caller's transaction."""
    assert connection.in_atomic_block, "after_sale_request_transition needs transaction.atomic"
    now = now or timezone.now()
    old = request.status
    if not rules.can_move(old, to):
        raise _bad_move(old, to)
    fields = rules.clock_fields_on_enter(to, now, clock_settings())
    if to in rules.FINAL_STATUSES or to == rules.REJECTED:
        fields["closed_at"] = now
    elif old not in rules.OPEN_STATUSES:
        fields["closed_at"] = None
    fields.update(extra or {})
    fields.update(_list_fields(to, fields))
    for name, value in fields.items():
        setattr(request, name, value)
    request.status = to
    request.updated_at = now
    try:
        with transaction.atomic():
            request.save(update_fields=["status", "updated_at", *fields])
    except IntegrityError:
        # Leaving "rejected"/"closed" reopens the line, which may have a newer request.
        raise ApplicationError(
            _("Another after-sale request is already open for this item."),
            code="already_open",
        )
    _event(request, old, to, actor, side, reason, now, **(data or {}))
    return request


def _list_fields(status: str, clocks: dict) -> dict:
    """What the lists order by, from the clocks a request has after a move (every clock is
    in `clocks`: clock_fields_on_enter sets or clears all of them)."""
    return {"next_deadline": rules.next_deadline(clocks),
            "finished": status not in rules.OPEN_STATUSES}


def _note(request, *, actor, side, reason, now, fields=None, data=None) -> None:
    """A change without a status move, on the timeline."""
    fields = dict(fields or {})
    for name, value in fields.items():
        setattr(request, name, value)
    if set(fields) & set(rules.CLOCKS):
        fields["next_deadline"] = request.next_deadline = rules.next_deadline(
            {name: getattr(request, name) for name in rules.CLOCKS})
    request.updated_at = now
    request.save(update_fields=["updated_at", *fields])
    _event(request, request.status, request.status, actor, side, reason, now, **(data or {}))


def after_sale_requests_transition_batch(
    *, ids: list[int], from_status: str, to: str, reason: str, now: datetime,
    extra: dict | None = None,
) -> list[int]:
    """The system's transition for a batch of locked requests, all in `from_status`: one
    UPDATE and one bulk insert of events (same table, same clock rules)."""
    assert connection.in_atomic_block, "needs transaction.atomic"
    if not ids:
        return []
    if not rules.can_move(from_status, to):
        raise _bad_move(from_status, to)
    fields = rules.clock_fields_on_enter(to, now, clock_settings())
    if to in rules.FINAL_STATUSES:
        fields["closed_at"] = now
    fields.update(extra or {})
    fields.update(_list_fields(to, fields))
    AfterSaleRequest.objects.filter(pk__in=ids, status=from_status).update(
        status=to, updated_at=now, **fields)
    AfterSaleEvent.objects.bulk_create(
        AfterSaleEvent(request_id=pk, from_status=from_status, to_status=to, actor=None,
                       side=Side.SYSTEM, reason=reason, at=now)
        for pk in ids
    )
    return ids


def after_sale_requests_note_batch(*, ids: list[int], status: str, reason: str, now: datetime,
                                   flags: dict, data: dict | None = None) -> None:
    """Set flags on a batch of locked requests (a clock fired without a status move)."""
    # Flags only: a clock changed here would leave next_deadline stale.
    assert not set(flags) & set(rules.CLOCKS), "use after_sale_request_transition for clocks"
    AfterSaleRequest.objects.filter(pk__in=ids).update(updated_at=now, **flags)
    AfterSaleEvent.objects.bulk_create(
        AfterSaleEvent(request_id=pk, from_status=status, to_status=status, actor=None,
                       side=Side.SYSTEM, reason=reason, at=now, data=data or {})
        for pk in ids
    )


def _record_violation(*, request_ids: list[int], kind: str, actor, reason: str,
                      now: datetime) -> None:
    """Hook for the compliance enforcement issue (violations, 违规记录), not landed yet.

    Today it only writes a timeline event per request with ``data={"violation": kind}``
    (kinds: ``ruling_merchant_fault``, ``contact_missed``, ``reship_overdue``). When
    violations land, this is the one place to call
    ``compliance.services.violation_record(...)`` for each request; callers already pass
    what it needs and run inside the transaction that established the fault."""
    status_by_id = dict(
        AfterSaleRequest.objects.filter(pk__in=request_ids).values_list("pk", "status"))
    AfterSaleEvent.objects.bulk_create(
        AfterSaleEvent(request_id=pk, from_status=status_by_id.get(pk, ""),
                       to_status=status_by_id.get(pk, ""), actor=actor,
                       side=Side.SYSTEM if actor is None else Side.AGENT,
                       reason=reason, at=now, data={"violation": kind})
        for pk in request_ids
    )


# --- who is acting --------------------------------------------------------------------------
def _side_of(request: AfterSaleRequest, actor) -> str:
    if actor is None:
        return Side.SYSTEM
    if actor.pk == request.buyer_id:
        return Side.BUYER
    if actor.pk == request.store.merchant_id:
        return Side.MERCHANT
    if roles.has_role(actor, roles.AGENT):
        return Side.AGENT
    if roles.has_role(actor, roles.REVIEWER):
        return Side.REVIEWER
    raise ApplicationError(_("This after-sale request is not yours."), code="not_yours")


def _require(request: AfterSaleRequest, actor, side: str, action: str) -> None:
    """The actor is on `side` of the request and the rules let that side do `action`."""
    if _side_of(request, actor) != side:
        raise ApplicationError(_("This after-sale request is not yours."), code="not_yours")
    table = rules.merchant_actions if side == Side.MERCHANT else rules.buyer_actions
    why = table(request.state).get(action, "wrong_status")
    if why is not None:
        raise ApplicationError(rules.WHY[why], code=why)


def _clean_waybill(courier: str, waybill_number: str) -> tuple[str, str]:
    courier = (courier or "").strip().upper()
    waybill_number = (waybill_number or "").strip()
    if courier not in COURIERS:
        raise ApplicationError(
            _("Unknown courier “%(courier)s”; use one of: %(list)s.")
            % {"courier": courier, "list": ", ".join(COURIERS)},
            code="unknown_courier", field="courier",
        )
    if not WAYBILL_RE.match(waybill_number):
        raise ApplicationError(_("A waybill number is 6 to 40 letters, digits or hyphens."),
                               code="invalid_waybill", field="waybill_number")
    return courier, waybill_number


def _text(value, field: str, *, required=True, max_length=2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("Please fill this in."), code="required", field=field)
    if len(value) > max_length:
        raise ApplicationError(_("At most %(n)d characters.") % {"n": max_length},
                               code="too_long", field=field)
    return value


# --- return address -------------------------------------------------------------------------
def merchant_return_address_set(*, store, actor, address: dict,
                                now: datetime | None = None) -> MerchantReturnAddress:
    """The merchant sets a new return address; requests keep the copy they were given."""
    now = now or timezone.now()
    if store.merchant_id != actor.pk:
        raise ApplicationError(_("This store is not yours."), code="not_yours")
    cleaned = {f: str(address.get(f) or "").strip() for f in ADDRESS_FIELDS}
    missing = [f for f, v in cleaned.items() if not v]
    if missing:
        raise ApplicationError(
            _("The return address is incomplete: %(fields)s.")
            % {"fields": _(", ").join(
                str(MerchantReturnAddress._meta.get_field(f).verbose_name) for f in missing)},
            code="invalid_address", field=missing[0],
        )
    if not PHONE_RE.match(cleaned["phone"]):
        raise ApplicationError(_("Enter a valid phone number."), code="invalid_phone",
                               field="phone")
    return MerchantReturnAddress.objects.create(store=store, created_by=actor, created_at=now,
                                                **cleaned)


def _return_address_or_none(store) -> dict | None:
    address = selectors.merchant_return_address(store)
    return address.as_dict() if address else None


# --- opening a request ----------------------------------------------------------------------
_PAID_STATUSES = (Order.Status.PAID, Order.Status.SHIPPED, Order.Status.SIGNED,
                  Order.Status.COMPLETED)
_RECEIVED_STATUSES = (Order.Status.SHIPPED, Order.Status.SIGNED, Order.Status.COMPLETED)


def after_sale_request_open(
    *, line: OrderLine, actor, kind: str, reason: str, amount=None, description: str = "",
    goods_intact: bool = False, now: datetime | None = None,
) -> AfterSaleRequest:
    """The buyer opens a request on a paid line of their order. Refused on a line with an
    open request, with nothing left to refund (exchanges too), or with a standing ruling
    (final until a reviewer reopens it); a no-reason request on goods signed for must be a
    return (the 7-day rule is about returns), not a refund only."""
    now = now or timezone.now()
    if kind not in Kind.values:
        raise ApplicationError(_("Choose a type of request."), code="invalid_kind", field="kind")
    if reason not in Reason.values:
        raise ApplicationError(_("Choose a reason."), code="invalid_reason", field="reason")
    description = _text(description, "description", required=False)
    clocks = rules.clock_fields_on_enter(rules.PENDING, now, clock_settings())
    with transaction.atomic():
        line = OrderLine.objects.select_for_update().select_related("order", "product").get(
            pk=line.pk)
        order = line.order
        if actor is None or order.buyer_id != actor.pk:
            raise ApplicationError(_("This is not your order."), code="not_yours")
        if order.status not in _PAID_STATUSES or line.paid_amount <= 0:
            raise ApplicationError(_("After-sales are for paid orders only."),
                                   code="order_not_paid")
        if kind != Kind.REFUND_ONLY and order.status not in _RECEIVED_STATUSES:
            raise ApplicationError(
                _("Goods can be returned or exchanged only once they have shipped; ask for a "
                  "refund instead."), code="not_shipped", field="kind")
        if kind == Kind.EXCHANGE and reason == Reason.NOT_RECEIVED:
            raise ApplicationError(_("Goods that were not received cannot be exchanged."),
                                   code="invalid_reason", field="reason")
        if reason == Reason.NO_REASON and order.status != Order.Status.PAID:
            if kind == Kind.REFUND_ONLY and order.signed_at is not None:
                # The 7-day rule is about returns: signed goods come back before the money.
                raise ApplicationError(
                    _("Goods signed for are returned before a no-reason refund: choose "
                      "return and refund."), code="no_reason_needs_return", field="kind")
            if not line.supports_seven_day_return:
                raise ApplicationError(
                    _("This product does not support 7-day no-reason returns."),
                    code="no_seven_day", field="reason")
            if not rules.within_seven_day_window(
                    order.signed_at, now, config.get("aftersale.seven_day_return_days")):
                raise ApplicationError(
                    _("The 7-day no-reason return window has ended (or the goods have not "
                      "been signed for yet)."), code="seven_day_window_over", field="reason")
            if not goods_intact:
                raise ApplicationError(
                    _("A no-reason return needs the goods to be intact."),
                    code="goods_not_intact", field="goods_intact")
        if AfterSaleRequest.objects.filter(line=line, status__in=rules.OPEN_STATUSES).exists():
            raise ApplicationError(_("Another after-sale request is already open for this "
                                     "item."), code="already_open")
        refundable = selectors.line_refundable_amount(line)
        if refundable <= 0:
            # Exchanges too: goods fully refunded or paid out are not the buyer's to swap.
            raise ApplicationError(_("Nothing is left to refund for this item."),
                                   code="nothing_left", field="amount")
        if selectors.line_has_standing_ruling(line):
            # Whatever the outcome, a ruling settles the item; only a reviewer reopens it.
            raise ApplicationError(_("Support has ruled on this item; the ruling is final."),
                                   code="ruled")
        if kind == Kind.EXCHANGE:
            amount = ZERO
        else:
            amount = refundable if amount in (None, "") else to_money(amount)
            if amount <= 0:
                raise ApplicationError(_("Ask for an amount above zero."),
                                       code="invalid_amount", field="amount")
            if amount > refundable:
                raise ApplicationError(
                    _("At most ¥%(max)s can be refunded for this item.") % {"max": refundable},
                    code="amount_too_large", field="amount", extra={"max": str(refundable)})
        try:
            with transaction.atomic():
                request = AfterSaleRequest.objects.create(
                    order=order, line=line, buyer=actor, store_id=order.store_id, kind=kind,
                    reason=reason, amount=amount, description=description,
                    goods_intact=bool(goods_intact), created_at=now, updated_at=now,
                    resolution=(AfterSaleRequest.Resolution.EXCHANGE if kind == Kind.EXCHANGE
                                else AfterSaleRequest.Resolution.REFUND),
                    status=Status.PENDING, **clocks, **_list_fields(Status.PENDING, clocks),
                )
        except IntegrityError:
            raise ApplicationError(_("Another after-sale request is already open for this "
                                     "item."), code="already_open")
        _event(request, "", Status.PENDING, actor, Side.BUYER,
               _("Request opened: %(kind)s, %(reason)s")
               % {"kind": request.get_kind_display(), "reason": request.get_reason_display()},
               now, amount=str(amount))
    return request


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
                          reason=str(reason), account="store", now=now)


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
        reason=_("After-sale request #%(id)s: the platform's payout failed, the deduction is "
                 "given back") % {"id": request.pk})


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
                         reason=_("Postage refunded: nothing was shipped"), now=now)
        except PaymentFailedError as exc:
            logger.warning("order %s: postage refund refused by the provider", order.pk)
            _event(request, request.status, request.status, None, Side.SYSTEM,
                   _("The postage refund failed at the payment provider; support refunds "
                     "it by hand"), now, postage_failed=str(exc.payment.amount))
            return
    if order_can_move(order.status, Order.Status.CLOSED):
        order_close(order=order, actor=actor, reason=_("Refunded in full after-sales"), now=now)


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
                              reason=_("The payout failed at the payment provider"),
                              data={"payout_failed": str(amount),
                                    "payment": exc.payment.provider_ref})
            raise
        order_money_event(request.order_id, actor=actor, now=now, reason=reason,
                          data={"payout": str(amount), "payment": payment.provider_ref})
        _deposit_deduct(request, amount, actor, reason, now, attempt=request.refund_attempts)
        return payment
    return order_refund(order=request.order, amount=amount, line=request.line,
                        idempotency_key=f"aftersale:{request.pk}:refund", actor=actor,
                        reason=str(reason), now=now, purpose=AFTERSALE_REFUND,
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
            reason=_("Payout confirmed by the payment provider") if succeeded
            else _("The payout failed at the payment provider"),
            data={"payout_confirmed" if succeeded else "payout_failed": str(payment.amount),
                  "payment": payment.provider_ref})
    request = after_sale_request_lock(AfterSaleRequest(pk=int(payment.subject_id)))
    if request.status != rules.REFUNDING or request.payment_id != payment.pk:
        return  # an earlier attempt, or the request moved on meanwhile
    if succeeded:
        _refunded(request, payment, actor=None, side=Side.SYSTEM, now=now,
                  reason=_("The payment provider confirmed the refund"))
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
          reason=_("The refund failed at the payment provider; it will be tried again"),
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
              reason=_("The refund was asked for again; the payment provider is processing "
                       "it"))
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
                         reason=_("The payment provider confirmed the refund"))
    if payment is not None:  # failed at the provider after a pending answer
        if payment.kind == Payment.Kind.PAYOUT:
            _deposit_deduction_give_back(request, request.refund_attempts, now=now)
        _retry_later(request, payment.amount, now=now, payment=payment)
        return request
    return _refund_now(request, actor=None, side=Side.SYSTEM, now=now,
                       reason=_("The refund is tried again"))


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


# --- merchant actions -----------------------------------------------------------------------
def after_sale_request_contact(*, request, actor, message: str,
                               now: datetime | None = None) -> AfterSaleRequest:
    """The merchant contacts the buyer (within 36 h), with a message in the thread."""
    now = now or timezone.now()
    message = _text(message, "message")
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.MERCHANT, "contact")
        AfterSaleMessage.objects.create(request=request, author=actor, side=Side.MERCHANT,
                                        text=message, created_at=now)
        _note(request, actor=actor, side=Side.MERCHANT, now=now,
              reason=_("The merchant contacted the buyer"),
              fields={"contacted_at": now, "contact_by": None})
    return request


def after_sale_request_approve(*, request, actor, return_required: bool,
                               now: datetime | None = None) -> AfterSaleRequest:
    """The merchant approves: with a return (the buyer gets the return address), or
    refund only (no return needed: the refund is made now)."""
    now = now or timezone.now()
    with transaction.atomic():
        request = after_sale_request_lock(request)
        if return_required:
            _require(request, actor, Side.MERCHANT, "approve_return")
            address = _return_address_or_none(request.store)
            if address is None:
                raise ApplicationError(_("Set your return address first."),
                                       code="no_return_address")
            return _send_back(request, actor=actor, side=Side.MERCHANT, now=now,
                              address=address,
                              reason=_("Approved by the merchant: return the goods"))
        _require(request, actor, Side.MERCHANT, "approve_refund")
        return _refund_now(request, actor=actor, side=Side.MERCHANT, now=now,
                           reason=_("Approved by the merchant: refund without return"))


def after_sale_request_reject(*, request, actor, reason: str,
                              now: datetime | None = None) -> AfterSaleRequest:
    """The merchant rejects, after contacting the buyer. The buyer may escalate or open a
    new request."""
    now = now or timezone.now()
    reason = _text(reason, "reason")
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.MERCHANT, "reject")
        return after_sale_request_transition(
            request=request, to=rules.REJECTED, actor=actor, side=Side.MERCHANT, now=now,
            reason=_("Rejected by the merchant: %(reason)s") % {"reason": reason},
            extra={"rejection_reason": reason})


def _receive(request, *, actor, side, reason, now) -> AfterSaleRequest:
    if request.resolution == AfterSaleRequest.Resolution.EXCHANGE:
        return after_sale_request_transition(request=request, to=rules.AWAITING_RESHIP,
                                             actor=actor, side=side, reason=reason, now=now,
                                             extra={"received_at": now})
    return _refund_now(request, actor=actor, side=side, reason=reason, now=now,
                       extra={"received_at": now})


def after_sale_request_confirm_receipt(*, request, actor,
                                       now: datetime | None = None) -> AfterSaleRequest:
    """The merchant confirms the return arrived: refund (or reship an exchange)."""
    now = now or timezone.now()
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.MERCHANT, "confirm_receipt")
        return _receive(request, actor=actor, side=Side.MERCHANT, now=now,
                        reason=_("The merchant confirmed receipt of the return"))


def after_sale_request_reship(*, request, actor, courier: str, waybill_number: str,
                              now: datetime | None = None) -> AfterSaleRequest:
    """The merchant ships the replacement of an exchange."""
    now = now or timezone.now()
    courier, waybill_number = _clean_waybill(courier, waybill_number)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.MERCHANT, "reship")
        return after_sale_request_transition(
            request=request, to=rules.EXCHANGED, actor=actor, side=Side.MERCHANT, now=now,
            reason=_("Replacement shipped with %(courier)s %(waybill)s")
            % {"courier": COURIERS[courier], "waybill": waybill_number},
            extra={"reship_courier": courier, "reship_waybill": waybill_number,
                   "reshipped_at": now})


def after_sale_request_propose_offline(*, request, actor, reason: str,
                                       now: datetime | None = None) -> AfterSaleRequest:
    """The merchant records an agreement with the buyer to settle offline (repair or
    exchange); the request is cancelled when the buyer confirms by cancelling it."""
    now = now or timezone.now()
    reason = _text(reason, "reason", max_length=200)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.MERCHANT, "agree_cancel")
        AfterSaleMessage.objects.create(
            request=request, author=actor, side=Side.MERCHANT, created_at=now,
            text=_("Proposed solution offline: %(reason)s. Cancel the request to agree.")
            % {"reason": reason})
        _note(request, actor=actor, side=Side.MERCHANT, now=now,
              reason=_("The merchant proposed to settle offline: %(reason)s")
              % {"reason": reason}, fields={"offline_proposal": reason})
    return request


def after_sale_request_accept_ruling(*, request, actor,
                                     now: datetime | None = None) -> AfterSaleRequest:
    """The merchant reviews a quality ruling in time: the buyer returns to the merchant's
    address and the merchant refunds on receipt."""
    now = now or timezone.now()
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.MERCHANT, "accept_ruling")
        address = _return_address_or_none(request.store)
        if address is None:
            raise ApplicationError(_("Set your return address first."),
                                   code="no_return_address")
        return _send_back(request, actor=actor, side=Side.MERCHANT, now=now, address=address,
                          reason=_("The merchant accepted the ruling: return the goods"))


# --- buyer actions --------------------------------------------------------------------------
def after_sale_request_ship_return(*, request, actor, courier: str, waybill_number: str,
                                   now: datetime | None = None) -> AfterSaleRequest:
    """The buyer uploads the return waybill; the merchant's receipt clock starts."""
    now = now or timezone.now()
    courier, waybill_number = _clean_waybill(courier, waybill_number)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.BUYER, "upload_waybill")
        return after_sale_request_transition(
            request=request, to=rules.RETURNING, actor=actor, side=Side.BUYER, now=now,
            reason=_("Return shipped with %(courier)s %(waybill)s")
            % {"courier": COURIERS[courier], "waybill": waybill_number},
            extra={"return_courier": courier, "return_waybill": waybill_number,
                   "return_shipped_at": now})


def after_sale_request_cancel(*, request, actor, reason: str = "",
                              now: datetime | None = None) -> AfterSaleRequest:
    """The buyer withdraws the request (also how they agree to an offline solution)."""
    now = now or timezone.now()
    reason = _text(reason, "reason", required=False, max_length=200)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.BUYER, "cancel")
        if request.offline_proposal:
            text = _("Cancelled by the buyer, agreeing to settle offline")
        else:
            text = _("Withdrawn by the buyer")
        if reason:
            text = _("%(what)s: %(reason)s") % {"what": text, "reason": reason}
        return after_sale_request_transition(request=request, to=rules.CANCELLED, actor=actor,
                                             side=Side.BUYER, reason=text, now=now)


def after_sale_request_escalate(*, request, actor, reason: str,
                                now: datetime | None = None) -> AfterSaleRequest:
    """Either side asks platform support to step in (申请客服介入). From then on the
    merchant can take no action; both sides can still add evidence and messages."""
    now = now or timezone.now()
    reason = _text(reason, "reason")
    with transaction.atomic():
        request = after_sale_request_lock(request)
        side = _side_of(request, actor)
        if side not in (Side.BUYER, Side.MERCHANT):
            raise ApplicationError(_("This after-sale request is not yours."),
                                   code="not_yours")
        _require(request, actor, side, "escalate")
        return after_sale_request_transition(
            request=request, to=rules.ESCALATED, actor=actor, side=side, now=now,
            reason=_("Platform support asked to step in: %(reason)s") % {"reason": reason},
            extra={"escalated_at": now, "escalated_by": side, "escalation_reason": reason,
                   "agent": None, "agent_overdue": False})


# --- messages and evidence -------------------------------------------------------------------
def _store_files(request, files, *, allowed: tuple[str, ...], message=None, evidence=None):
    files = [f for f in (files or []) if f]
    limit = config.get("aftersale.max_files_per_upload")
    if len(files) > limit:
        raise ApplicationError(_("At most %(n)d files at a time.") % {"n": limit},
                               code="too_many_files", field="files")
    from django.conf import settings
    from django.core.exceptions import ValidationError

    rows = []
    for upload in files:
        try:
            info = validate_upload(upload, allowed=allowed, max_bytes=settings.UPLOAD_MAX_BYTES)
            if info.kind in ("jpg", "png"):
                content = reencode_image(upload, info.kind)
                content.name = info.safe_name
            else:
                from django.core.files.base import File

                content = File(upload, name=info.safe_name)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], code=exc.code or "invalid_file",
                                   field="files")
        rows.append((info, content, sanitize_filename(getattr(upload, "name", ""))))
    created = []
    for info, content, name in rows:
        attachment = AfterSaleAttachment(request=request, message=message, evidence=evidence,
                                         content_type=info.mime, original_name=name,
                                         size=getattr(content, "size", info.size) or info.size)
        attachment.file.save(info.safe_name, content, save=False)
        attachment.save()
        created.append(attachment)
    return created


def _may_talk(request, actor) -> str:
    side = _side_of(request, actor)
    if side == Side.AGENT:
        if request.escalated_at is None:
            raise ApplicationError(_("Support joins a request once it is escalated."),
                                   code="not_escalated")
        return side
    if side not in (Side.BUYER, Side.MERCHANT):
        raise ApplicationError(_("This after-sale request is not yours."), code="not_yours")
    table = rules.merchant_actions if side == Side.MERCHANT else rules.buyer_actions
    why = table(request.state)["message"]
    if why is not None:
        raise ApplicationError(rules.WHY[why], code=why)
    return side


def after_sale_message_post(*, request, actor, text: str = "", files=None,
                            now: datetime | None = None) -> AfterSaleMessage:
    """A message in the request's thread: text and images."""
    now = now or timezone.now()
    text = _text(text, "text", required=False)
    if not text and not files:
        raise ApplicationError(_("Write a message or add an image."), code="empty_message",
                               field="text")
    with transaction.atomic():
        request = after_sale_request_lock(request)
        side = _may_talk(request, actor)
        message = AfterSaleMessage.objects.create(request=request, author=actor, side=side,
                                                  text=text, created_at=now)
        _store_files(request, files, allowed=("jpg", "png"), message=message)
        AfterSaleRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return message


def after_sale_evidence_add(*, request, actor, kind: str, note: str = "", files=None,
                            now: datetime | None = None) -> AfterSaleEvidence:
    """Evidence from either side (photos, invoices, certificates, proofs), on the timeline."""
    now = now or timezone.now()
    if kind not in AfterSaleEvidence.Kind.values:
        raise ApplicationError(_("Choose what this evidence shows."), code="invalid_kind",
                               field="kind")
    note = _text(note, "note", required=False)
    if not note and not files:
        raise ApplicationError(_("Add a file or a note."), code="empty_evidence", field="files")
    with transaction.atomic():
        request = after_sale_request_lock(request)
        side = _may_talk(request, actor)
        evidence = AfterSaleEvidence.objects.create(request=request, author=actor, side=side,
                                                    kind=kind, note=note, created_at=now)
        _store_files(request, files, allowed=("jpg", "png", "pdf"), evidence=evidence)
        _note(request, actor=actor, side=side, now=now,
              reason=_("Evidence added: %(kind)s") % {"kind": evidence.get_kind_display()},
              data={"evidence": evidence.pk})
    return evidence


# --- support agents -------------------------------------------------------------------------
def _require_agent(actor) -> None:
    if not roles.has_role(actor, roles.AGENT):
        raise ApplicationError(_("Only support agents can do this."), code="not_agent")


def _require_impartial(request: AfterSaleRequest, agent, *, field: str | None = None) -> None:
    """An agent who is the buyer or the store's merchant cannot handle the case."""
    if agent.pk in (request.buyer_id, request.store.merchant_id):
        raise ApplicationError(
            _("An agent cannot handle a case they are a party to (the buyer or the "
              "merchant)."), code="own_case", field=field)


def after_sale_case_take(*, request, actor, now: datetime | None = None) -> AfterSaleRequest:
    """An agent takes an unassigned escalated case (first come, first served)."""
    now = now or timezone.now()
    _require_agent(actor)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        if request.status != rules.ESCALATED:
            raise ApplicationError(_("This case is not waiting for support."),
                                   code="bad_state")
        if request.agent_id is not None:
            raise ApplicationError(_("Another agent has already taken this case."),
                                   code="taken")
        _require_impartial(request, actor)
        _note(request, actor=actor, side=Side.AGENT, now=now,
              reason=_("Taken by %(agent)s") % {"agent": actor.get_username()},
              fields={"agent": actor})
    return request


HAND_OVER_REFUSALS = {
    "already_assigned": gettext_lazy("The case is already with this agent."),
    "not_assigned": gettext_lazy("Nobody holds this case: take it first (only a support lead "
                          "assigns an open case)."),
    "not_yours": gettext_lazy("Only the agent who holds this case, or a support lead, can hand it "
                       "over."),
}


def after_sale_case_assign(*, request, actor, agent, reason: str = "",
                           now: datetime | None = None) -> AfterSaleRequest:
    """Hand a case to another agent: the agent who holds it may, and a support lead may
    hand over any case. Always with a reason, on the timeline."""
    now = now or timezone.now()
    _require_agent(actor)
    if agent is None or not roles.has_role(agent, roles.AGENT):
        raise ApplicationError(_("Choose a support agent."), code="not_agent", field="agent")
    reason = _text(reason, "reason", max_length=200)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        if request.status != rules.ESCALATED:
            raise ApplicationError(_("This case is not waiting for support."),
                                   code="bad_state")
        refusal = rules.hand_over_refusal(
            actor_id=actor.pk, assignee_id=request.agent_id, target_id=agent.pk,
            actor_is_lead=roles.has_role(actor, roles.SUPPORT_LEAD))
        if refusal:
            raise ApplicationError(HAND_OVER_REFUSALS[refusal], code=refusal, field="agent")
        _require_impartial(request, agent, field="agent")
        previous = request.agent.get_username() if request.agent_id else None
        _note(request, actor=actor, side=Side.AGENT, now=now,
              reason=_("Handed over to %(agent)s: %(why)s") % {
                  "agent": agent.get_username(), "why": reason},
              fields={"agent": agent},
              data={"handed_over_from": previous, "handed_over_to": agent.get_username(),
                    "why": reason})
    return request


def fee_suggestion(request: AfterSaleRequest, *, fault: str | None = None,
                   refusal_has_reason: bool = False,
                   agreed_payer: str = "") -> rules.FeeResponsibility:
    refused = TrackingEvent.objects.filter(order_id=request.order_id,
                                           kind=TrackingEvent.Kind.REFUSED).exists()
    return rules.fee_responsibility(
        reason=request.reason, free_shipping=request.order.shipping_fee == 0, refused=refused,
        refusal_has_reason=refusal_has_reason,
        at_fault=rules.fault_side(fault) if fault else None,
        agreed_payer=agreed_payer or None,
    )


def ruling_issue(
    *, request, actor, outcome: str, fault: str, reasoning: str, return_required=False,
    amount=None, gift_deduction=ZERO, postage_deduction=ZERO, refusal_has_reason=False,
    agreed_payer: str = "", outbound_payer: str = "", return_payer: str = "",
    fee_override_reason: str = "", platform_pays_first=False, now: datetime | None = None,
) -> Ruling:
    """The assigned agent rules on an escalated case. The postage payers default to the
    fee rules' suggestion; a different choice needs a reason. A merchant-fault ruling is
    recorded as a violation, and may be paid first by the platform (先行赔付) and
    deducted from the deposit."""
    now = now or timezone.now()
    _require_agent(actor)
    reasoning = _text(reasoning, "reasoning", max_length=5000)
    if outcome not in Ruling.Outcome.values:
        raise ApplicationError(_("Choose an outcome."), code="invalid_outcome", field="outcome")
    if fault not in Ruling.Fault.values:
        raise ApplicationError(_("Say who is at fault."), code="invalid_fault", field="fault")
    gift_deduction = to_money(gift_deduction or 0)
    postage_deduction = to_money(postage_deduction or 0)
    if gift_deduction < 0 or postage_deduction < 0:
        raise ApplicationError(_("Deductions cannot be negative."), code="invalid_amount",
                               field="gift_deduction")
    merchant_fault = rules.fault_side(fault) == rules.MERCHANT
    if platform_pays_first and not merchant_fault:
        raise ApplicationError(
            _("The platform pays first only when the merchant is at fault."),
            code="pay_first_needs_merchant_fault", field="platform_pays_first")
    if outcome == Ruling.Outcome.EXCHANGE:
        return_required = True
    with transaction.atomic():
        request = after_sale_request_lock(request)
        if request.status != rules.ESCALATED:
            raise ApplicationError(_("This case is not waiting for a ruling."),
                                   code="bad_state")
        if request.agent_id != actor.pk:
            raise ApplicationError(_("Take the case before ruling on it."), code="not_assigned")
        _require_impartial(request, actor)
        refundable = selectors.line_refundable_amount(request.line)
        if outcome in (Ruling.Outcome.FULL_REFUND, Ruling.Outcome.PARTIAL_REFUND):
            if request.refunded_amount or request.payout_amount:
                raise ApplicationError(
                    _("Money was already returned on this request; rule without a refund."),
                    code="already_settled", field="outcome")
            if outcome == Ruling.Outcome.FULL_REFUND:
                amount = refundable
            else:
                amount = to_money(amount or 0)
                if not 0 < amount <= refundable:
                    raise ApplicationError(
                        _("A partial refund is above zero and at most ¥%(max)s.")
                        % {"max": refundable}, code="invalid_amount", field="amount")
        else:
            amount = ZERO
            gift_deduction = postage_deduction = ZERO
        line = request.line
        gift_cap = rules.gift_deduction_cap(gifts=line.gifts, gift_value=line.product.gift_value,
                                            quantity=line.quantity)
        if gift_deduction and not gift_cap:
            raise ApplicationError(
                _("This item came without a gift with a marked value: there is no gift to "
                  "deduct."), code="no_gift", field="gift_deduction")
        if gift_deduction > gift_cap:
            raise ApplicationError(
                _("At most the gift's marked value, ¥%(max)s, can be deducted.")
                % {"max": gift_cap}, code="gift_deduction_too_large", field="gift_deduction",
                extra={"max": str(gift_cap)})
        net = rules.ruling_net_amount(amount, gift_deduction, postage_deduction)
        if amount and net <= 0:
            raise ApplicationError(_("The deductions take the whole refund."),
                                   code="invalid_amount", field="gift_deduction")
        fee = fee_suggestion(request, fault=fault, refusal_has_reason=refusal_has_reason,
                             agreed_payer=agreed_payer)
        outbound_payer = outbound_payer or fee.outbound or ""
        return_payer = return_payer or fee.ret or ""
        if not outbound_payer or not return_payer:
            raise ApplicationError(_("No rule decides who pays the postage: choose."),
                                   code="payer_required", field="outbound_payer")
        fee_override_reason = (fee_override_reason or "").strip()
        overridden = (fee.outbound and outbound_payer != fee.outbound) or (
            fee.ret and return_payer != fee.ret)
        if overridden and not fee_override_reason:
            raise ApplicationError(
                _("The postage payers differ from the rule (%(rule)s): give a reason.")
                % {"rule": rules.FEE_BASIS_LABELS[fee.basis]},
                code="override_reason_required", field="fee_override_reason")
        postage_by_rule = rules.postage_deduction_allowed(
            outbound_payer=outbound_payer, free_shipping=request.order.shipping_fee == 0)
        postage_overridden = bool(postage_deduction) and not postage_by_rule
        if postage_overridden and not fee_override_reason:
            raise ApplicationError(
                _("Outbound postage comes off the refund only when the buyer bears it on a "
                  "free-shipping order: give a reason to deduct it here."),
                code="postage_deduction_reason_required", field="fee_override_reason")
        overridden = overridden or postage_overridden
        next_status = rules.ruling_next_status(outcome=outcome, return_required=return_required,
                                               fault=fault)
        address = None
        if next_status in (rules.AWAITING_RETURN, rules.RULING_REVIEW):
            address = _return_address_or_none(request.store)
            if address is None:
                raise ApplicationError(
                    _("The merchant has no return address yet: ask them to set one."),
                    code="no_return_address")
        ruling = Ruling.objects.create(
            request=request, agent=actor, outcome=outcome, return_required=return_required,
            fault=fault, merchant_at_fault=merchant_fault, amount=amount,
            gift_deduction=gift_deduction, postage_deduction=postage_deduction, net_amount=net,
            refusal_has_reason=bool(refusal_has_reason), agreed_payer=agreed_payer or "",
            fee_basis=fee.basis, suggested_outbound_payer=fee.outbound or "",
            suggested_return_payer=fee.ret or "", outbound_postage_payer=outbound_payer,
            return_postage_payer=return_payer,
            fee_override_reason=fee_override_reason if overridden else "",
            platform_pays_first=bool(platform_pays_first), reasoning=reasoning, at=now,
        )
        if merchant_fault:
            _record_violation(request_ids=[request.pk], kind="ruling_merchant_fault",
                              actor=actor, now=now,
                              reason=_("Ruling: the merchant is at fault (%(fault)s)")
                              % {"fault": ruling.get_fault_display()})
        text = _("Ruling: %(outcome)s. %(reasoning)s") % {
            "outcome": ruling.get_outcome_display(), "reasoning": reasoning}
        extra = {"ruled_at": now, "platform_pays": bool(platform_pays_first)}
        if outcome == Ruling.Outcome.EXCHANGE:
            extra["resolution"] = AfterSaleRequest.Resolution.EXCHANGE
        elif outcome != Ruling.Outcome.REJECTED:
            extra["resolution"] = AfterSaleRequest.Resolution.REFUND
        data = {"ruling": ruling.pk}
        if next_status == rules.REFUNDED:
            for name, value in extra.items():
                setattr(request, name, value)
            _refund_now(request, actor=actor, side=Side.AGENT, reason=text, now=now,
                        extra=extra)
        elif next_status == rules.AWAITING_RETURN:
            _send_back(request, actor=actor, side=Side.AGENT, reason=text, now=now,
                       address=address, extra=extra)
        else:
            after_sale_request_transition(request=request, to=next_status, actor=actor,
                                          side=Side.AGENT, reason=text, now=now, extra=extra,
                                          data=data)
    return ruling


def ruling_reopen(*, ruling: Ruling, actor, reason: str,
                  now: datetime | None = None) -> AfterSaleRequest:
    """A reviewer reopens a ruling with a reason: the case goes back to the support queue.
    Money already returned stays returned."""
    now = now or timezone.now()
    reason = _text(reason, "reason")
    if not (roles.has_role(actor, roles.REVIEWER) and actor.has_perm("disputes.change_ruling")):
        raise ApplicationError(_("Only platform reviewers can reopen a ruling."),
                               code="not_reviewer")
    with transaction.atomic():
        ruling = Ruling.objects.select_for_update().get(pk=ruling.pk)
        if ruling.reopened_at is not None:
            raise ApplicationError(_("This ruling has already been reopened."),
                                   code="already_reopened")
        request = after_sale_request_lock(ruling.request)
        ruling.reopened_at, ruling.reopened_by, ruling.reopen_reason = now, actor, reason
        ruling.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        return after_sale_request_transition(
            request=request, to=rules.ESCALATED, actor=actor, side=Side.REVIEWER, now=now,
            reason=_("Ruling reopened by a reviewer: %(reason)s") % {"reason": reason},
            extra={"ruled_at": None, "agent_overdue": False}, data={"ruling": ruling.pk})


# --- what the clocks do (called by the sweeps on locked rows) --------------------------------
def _system_escalate(request, *, code: str, reason, now) -> AfterSaleRequest:
    return after_sale_request_transition(
        request=request, to=rules.ESCALATED, actor=None, side=Side.SYSTEM, now=now,
        reason=reason, extra={"escalated_at": now, "escalated_by": Side.SYSTEM,
                              "escalation_reason": code, "agent": None,
                              "agent_overdue": False})


def after_sale_request_auto_approve(request, *, now) -> AfterSaleRequest:
    """72 h without a review (rules.auto_approve_action decides what that means): a
    return or exchange is approved and the buyer gets the merchant's last return address
    (without one, support takes over); a refund-only request is refunded while the buyer
    does not have the goods, and goes to support once they were signed for."""
    action = rules.auto_approve_action(kind=request.kind, reason=request.reason,
                                       goods_signed=request.order.signed_at is not None)
    reason = _("Approved automatically: the merchant did not review in time")
    if action == rules.AUTO_REFUND:
        return _refund_now(request, actor=None, side=Side.SYSTEM, reason=reason, now=now)
    if action == rules.AUTO_ESCALATE:
        return _system_escalate(
            request, code="review_timeout", now=now,
            reason=_("The merchant did not review in time; the goods were signed for, so "
                     "platform support decides instead of an automatic refund"))
    address = _return_address_or_none(request.store)
    if address is None:
        return _system_escalate(
            request, code="no_return_address", now=now,
            reason=_("Approved automatically, but the merchant has no return address: "
                     "support will give one"))
    return _send_back(request, actor=None, side=Side.SYSTEM, reason=reason, now=now,
                      address=address)


def after_sale_request_auto_receive(request, *, now) -> AfterSaleRequest:
    """10 days after the buyer's waybill without a receipt: treated as received — the
    refund is made (an exchange goes to reshipping)."""
    return _receive(request, actor=None, side=Side.SYSTEM, now=now,
                    reason=_("Receipt not confirmed in time: treated as received"))


def after_sale_request_refusal_refund(request, *, now) -> AfterSaleRequest:
    """48 h after a refused parcel is back at the merchant: refunded automatically."""
    return _refund_now(request, actor=None, side=Side.SYSTEM, now=now,
                       reason=_("Refused parcel back at the merchant: refunded automatically"))


def after_sale_request_quality_timeout(request, *, now) -> AfterSaleRequest:
    """48 h after a quality ruling without the merchant's review: the platform gives the
    buyer the return address and will pay the buyer from the deposit on receipt."""
    address = _return_address_or_none(request.store) or dict(request.return_address)
    return _send_back(
        request, actor=None, side=Side.SYSTEM, now=now, address=address,
        reason=_("The merchant did not review the ruling in time: the platform gives the "
                 "return address and pays the buyer from the deposit once the return is "
                 "confirmed"),
        extra={"platform_pays": True})


def refused_parcel_intake(tracking: TrackingEvent, *, now) -> int | None:
    """Handle one returned-parcel tracking event, once (the intake row is unique per
    event). Returns how many requests it touched, or None when there is nothing to record
    yet: no refusal on the order (the event stays in the sweep's window in case the
    courier's "refused" arrives late) or another worker handled it."""
    if not TrackingEvent.objects.filter(order_id=tracking.order_id,
                                        kind=TrackingEvent.Kind.REFUSED).exists():
        return None
    try:
        with transaction.atomic():
            intake = RefusedParcelIntake.objects.create(
                tracking_event=tracking, order_id=tracking.order_id, at=tracking.at,
                handled_at=now)
    except IntegrityError:
        return None
    intake.requests_touched = refused_parcel_note(tracking, now=now)
    intake.save(update_fields=["requests_touched"])
    return intake.requests_touched


def refused_parcel_note(tracking: TrackingEvent, *, now) -> int:
    """A refused parcel is back at the merchant: every line still refundable (less what was
    refunded or paid out first) gets the 48 h refund clock — on its open request, or on a
    request the system opens for the buyer. A line support has ruled on keeps its ruling
    (final until a reviewer reopens it): the ruled request gets a note for the reviewer.
    Returns how many requests it touched."""
    order = Order.objects.select_for_update().get(pk=tracking.order_id)
    deadline = rules.refusal_refund_deadline(tracking.at, clock_settings())
    touched = 0
    for line in OrderLine.objects.filter(order=order).order_by("pk"):
        open_request = (AfterSaleRequest.objects.select_for_update()
                        .filter(line=line, status__in=rules.OPEN_STATUSES).first())
        if open_request is not None:
            fields = {"refusal_tracking": tracking}
            if open_request.status == rules.PENDING and open_request.kind == Kind.REFUND_ONLY:
                fields["refusal_refund_by"] = deadline
            _note(open_request, actor=None, side=Side.SYSTEM, now=now, fields=fields,
                  reason=_("Courier: the refused parcel is back at the merchant"),
                  data={"tracking": tracking.pk})
            touched += 1
            continue
        refundable = selectors.line_refundable_amount(line)
        if refundable <= 0:
            continue
        ruling = Ruling.objects.filter(request__line=line, reopened_at__isnull=True).first()
        if ruling is not None:
            ruled = AfterSaleRequest.objects.select_for_update().get(pk=ruling.request_id)
            _note(ruled, actor=None, side=Side.SYSTEM, now=now,
                  reason=_("Courier: the refused parcel is back at the merchant; the ruling "
                           "stands unless a reviewer reopens it"),
                  data={"tracking": tracking.pk})
            touched += 1
            continue
        clocks = {name: None for name in rules.CLOCKS}
        clocks["refusal_refund_by"] = deadline
        request = AfterSaleRequest.objects.create(
            order=order, line=line, buyer_id=order.buyer_id, store_id=order.store_id,
            kind=Kind.REFUND_ONLY, reason=Reason.NOT_RECEIVED, amount=refundable,
            description=_("Delivery refused; the parcel is back at the merchant."),
            opened_by_system=True, status=Status.PENDING, refusal_tracking=tracking,
            created_at=now, updated_at=now, **clocks, **_list_fields(Status.PENDING, clocks),
        )
        _event(request, "", Status.PENDING, None, Side.SYSTEM,
               _("Courier: the refused parcel is back at the merchant; refund due"), now,
               tracking=tracking.pk)
        touched += 1
    return touched
