"""What the after-sale clocks do, called by the sweeps on locked rows."""


from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from disputes import rules, selectors
from disputes.models import (
    AfterSaleRequest,
    RefusedParcelIntake,
    Ruling,
    Side,
)
from disputes.reasons import R
from disputes.services.refunds import (
    _refund_now,
    _send_back,
)
from disputes.services.requests import (
    _receive,
    _return_address_or_none,
)
from disputes.services.transitions import (
    _event,
    _list_fields,
    _note,
    after_sale_request_transition,
    clock_settings,
)
from shop.models import Order, OrderLine, TrackingEvent

Status = AfterSaleRequest.Status
Kind = AfterSaleRequest.Kind
Reason = AfterSaleRequest.Reason



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
    reason = R("auto_approved")
    if action == rules.AUTO_REFUND:
        return _refund_now(request, actor=None, side=Side.SYSTEM, reason=reason, now=now)
    if action == rules.AUTO_ESCALATE:
        return _system_escalate(
            request, code="review_timeout", now=now,
            reason=R("auto_escalated_signed"))
    address = _return_address_or_none(request.store)
    if address is None:
        return _system_escalate(
            request, code="no_return_address", now=now,
            reason=R("auto_escalated_no_address"))
    return _send_back(request, actor=None, side=Side.SYSTEM, reason=reason, now=now,
                      address=address)


def after_sale_request_auto_receive(request, *, now) -> AfterSaleRequest:
    """10 days after the buyer's waybill without a receipt: treated as received — the
    refund is made (an exchange goes to reshipping)."""
    return _receive(request, actor=None, side=Side.SYSTEM, now=now,
                    reason=R("auto_received"))


def after_sale_request_refusal_refund(request, *, now) -> AfterSaleRequest:
    """48 h after a refused parcel is back at the merchant: refunded automatically."""
    return _refund_now(request, actor=None, side=Side.SYSTEM, now=now,
                       reason=R("refusal_refunded"))


def after_sale_request_quality_timeout(request, *, now) -> AfterSaleRequest:
    """48 h after a quality ruling without the merchant's review: the platform gives the
    buyer the return address and will pay the buyer from the deposit on receipt."""
    address = _return_address_or_none(request.store) or dict(request.return_address)
    return _send_back(
        request, actor=None, side=Side.SYSTEM, now=now, address=address,
        reason=R("quality_timeout"),
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
                  reason=R("refused_parcel_back"),
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
                  reason=R("refused_parcel_ruled"),
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
               R("refused_parcel_opened"), now,
               tracking=tracking.pk)
        touched += 1
    return touched
