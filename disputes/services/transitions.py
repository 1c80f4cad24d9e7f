"""The one transition writer of after-sale requests, its event rows and shared checks."""

from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config, roles
from common.errors import ApplicationError
from common.reasons import reason_fields
from compliance.enforcement.models import SourceKind
from compliance.enforcement.services import violation_record
from compliance.reasons import R as COMPLIANCE_R
from disputes import rules
from disputes.models import (
    AfterSaleEvent,
    AfterSaleRequest,
    Side,
)
from disputes.notifications import notify_aftersale_moved
from shop.services.shipping import waybill_clean as _clean_waybill  # noqa: F401 (used by requests)

Status = AfterSaleRequest.Status




def clock_settings() -> rules.ClockSettings:
    return rules.ClockSettings(**{
        name: config.get(f"aftersale.{name}")
        for name in rules.ClockSettings.__dataclass_fields__
    })


# --- events and the transition service ----------------------------------------------------
def _event(request, old, new, actor, side, reason, now, **data) -> AfterSaleEvent:
    return AfterSaleEvent.objects.create(
        request=request, from_status=old, to_status=new, actor=actor, side=side,
        at=now, data=data, **reason_fields(reason),
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
    notify_aftersale_moved(request, old=old, now=now)
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
                       side=Side.SYSTEM, at=now, **reason_fields(reason))
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
                       side=Side.SYSTEM, at=now, data=data or {}, **reason_fields(reason))
        for pk in ids
    )


# What each kind of after-sale fault is recorded as (configuration keys naming the type).
_VIOLATION_TYPE_KEYS = {
    "ruling_merchant_fault": "violation.dispute_merchant_fault_type",
    "contact_missed": "violation.dispute_contact_missed_type",
    "reship_overdue": "violation.dispute_reship_overdue_type",
}


def _record_violation(*, request_ids: list[int], kind: str, actor, reason: str,
                      now: datetime) -> None:
    """Record a violation (违规记录) against the merchant for each request, through
    compliance's one violation service, with the request as its source (once per request
    and kind), and note it on the request's timeline. Callers run inside the transaction
    that established the fault."""
    type_code = config.get(_VIOLATION_TYPE_KEYS[kind])
    requests = (AfterSaleRequest.objects.filter(pk__in=request_ids)
                .only("pk", "status", "store_id").order_by("pk"))
    events = []
    for request in requests:
        violation = violation_record(
            store=request.store_id, type=type_code, source_kind=SourceKind.COMPLAINT,
            source=request, actor=actor, now=now,
            reason=COMPLIANCE_R(f"aftersale_{kind}", request=request.pk))
        events.append(AfterSaleEvent(
            request_id=request.pk, from_status=request.status, to_status=request.status,
            actor=actor, side=Side.SYSTEM if actor is None else Side.AGENT,
            at=now, **reason_fields(reason), data={"violation": kind, "violation_id": violation.pk}))
    AfterSaleEvent.objects.bulk_create(events)


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


def _text(value, field: str, *, required=True, max_length=2000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ApplicationError(_("Please fill this in."), code="required", field=field)
    if len(value) > max_length:
        raise ApplicationError(_("At most %(n)d characters.") % {"n": max_length},
                               code="too_long", field=field)
    return value


