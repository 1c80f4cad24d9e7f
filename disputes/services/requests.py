"""Opening an after-sale request and what the merchant and the buyer do with it."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.money import ZERO, to_money
from common.reasons import Label
from disputes import rules, selectors
from disputes.models import (
    AfterSaleMessage,
    AfterSaleRequest,
    MerchantReturnAddress,
    Side,
)
from disputes.notifications import notify_aftersale_opened
from disputes.reasons import R
from disputes.services.refunds import (
    _refund_now,
    _send_back,
)
from disputes.services.transitions import (
    _clean_waybill,
    _event,
    _list_fields,
    _note,
    _require,
    _side_of,
    _text,
    after_sale_request_lock,
    after_sale_request_transition,
    clock_settings,
)
from shop.models import Order, OrderLine
from shop.reasons import courier as shop_courier
from shop.rules.orders import ADDRESS_FIELDS, PHONE_RE

Status = AfterSaleRequest.Status
Kind = AfterSaleRequest.Kind
Reason = AfterSaleRequest.Reason



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
               R("opened", kind=Label("disputes.AfterSaleRequest.kind", request.kind),
                 reason=Label("disputes.AfterSaleRequest.reason", request.reason)),
               now, amount=str(amount))
        notify_aftersale_opened(request, now=now)
    return request


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
              reason=R("contacted"),
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
                              reason=R("approved_return"))
        _require(request, actor, Side.MERCHANT, "approve_refund")
        return _refund_now(request, actor=actor, side=Side.MERCHANT, now=now,
                           reason=R("approved_refund"))


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
            reason=R("rejected_by_merchant").noting(reason),
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
                        reason=R("merchant_confirmed_receipt"))


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
            reason=R("reshipped", courier=shop_courier(courier), waybill=waybill_number),
            extra={"reship_courier": courier, "reship_waybill": waybill_number,
                   "reshipped_at": now})


# The proposal is kept in its column: its length is the cap (the API states the same).
OFFLINE_PROPOSAL_MAX_LENGTH = AfterSaleRequest._meta.get_field("offline_proposal").max_length


def after_sale_request_propose_offline(*, request, actor, reason: str,
                                       now: datetime | None = None) -> AfterSaleRequest:
    """The merchant records an agreement with the buyer to settle offline (repair or
    exchange); the request is cancelled when the buyer confirms by cancelling it."""
    now = now or timezone.now()
    reason = _text(reason, "reason", max_length=OFFLINE_PROPOSAL_MAX_LENGTH)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        _require(request, actor, Side.MERCHANT, "agree_cancel")
        AfterSaleMessage.objects.create(
            request=request, author=actor, side=Side.MERCHANT, created_at=now,
            text=_("Proposed solution offline: %(reason)s. Cancel the request to agree.")
            % {"reason": reason})
        _note(request, actor=actor, side=Side.MERCHANT, now=now,
              reason=R("offline_proposed").noting(reason), fields={"offline_proposal": reason})
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
                          reason=R("accepted_ruling"))


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
            reason=R("return_shipped", courier=shop_courier(courier), waybill=waybill_number),
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
            text = R("cancelled_offline").noting(reason)
        else:
            text = R("withdrawn_by_buyer").noting(reason)
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
            reason=R("escalated").noting(reason),
            extra={"escalated_at": now, "escalated_by": side, "escalation_reason": reason,
                   "agent": None, "agent_overdue": False})


