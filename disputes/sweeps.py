"""Deadline sweeps of after-sales, one per kind of clock (registered with
common.deadlines; `enforce_deadlines` runs them every minute).

Each sweep locks what is due with select_for_update(skip_locked=True) on an indexed
(status, clock) pair, in batches in the clock's order (common.sweeps). A row is due only while it is still in the state that
owns the clock (and its flag is unset), and moving it clears the clock or sets the flag in
the same transaction, so a second run — or a second worker at the same time — finds
nothing. Clocks that only record something (a missed contact, a reminder) are one UPDATE
and one bulk insert of events per batch; clocks that move money go row by row through the
same services as the people do, because every refund is its own exactly-once call to the
payment provider. A refund the provider refuses does not stop the batch and does not leave
the row due: the request moves to "refunding" with the refusal on its timeline, and the
refund-check sweep tries it again at its own clock."""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, Max, OuterRef

from common import config
from common.deadlines import register
from common.errors import ApplicationError
from common.sweeps import sweep_due
from disputes import services
from disputes.models import AfterSaleRequest, RefusedParcelIntake
from disputes.reasons import R
from shop.models import TrackingEvent

logger = logging.getLogger(__name__)
BATCH_SIZE = 200
Status = AfterSaleRequest.Status


def _sweep_rows(due_qs, handle_one: Callable[[AfterSaleRequest], object],
                batch_size: int, clock: str) -> int:
    """Row by row inside a locked batch; a row that fails (a rule refuses it, the provider
    is down) stays due for the next run, logged, and the others go on."""
    failed: set[int] = set()

    def handle(ids) -> int:
        moved = 0
        rows = (AfterSaleRequest.objects.select_related("order", "line", "store")
                .filter(pk__in=ids).order_by("pk"))
        for row in rows:
            try:
                with transaction.atomic():
                    handle_one(row)
            except ApplicationError as exc:
                failed.add(row.pk)
                logger.warning("after-sale %s: clock action refused: %s (%s)",
                               row.pk, exc, exc.code)
            except Exception:
                # One broken row must not hold up every other due request.
                failed.add(row.pk)
                logger.exception("after-sale %s: clock action failed", row.pk)
            else:
                moved += 1
        return moved

    return sweep_due(due_qs, handle, batch_size, order=(clock,), skip=failed)


@register("aftersale.contact_missed")
def contact_missed(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """36 h without contacting the buyer: recorded against the merchant."""

    def handle(ids):
        services.after_sale_requests_note_batch(
            ids=ids, status=Status.PENDING, now=now, flags={"contact_missed": True},
            reason=R("contact_missed"))
        services._record_violation(request_ids=ids, kind="contact_missed", actor=None, now=now,
                                   reason=R("contact_missed_violation"))

    due = AfterSaleRequest.objects.filter(status=Status.PENDING, contact_by__lte=now,
                                          contacted_at__isnull=True, contact_missed=False)
    return sweep_due(due, handle, batch_size, order=("contact_by",))


@register("aftersale.auto_approve")
def auto_approve(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """72 h without a review: approved automatically."""
    due = AfterSaleRequest.objects.filter(status=Status.PENDING, review_by__lte=now)
    return _sweep_rows(due, lambda r: services.after_sale_request_auto_approve(r, now=now),
                       batch_size, "review_by")


@register("aftersale.return_reminder")
def return_reminder(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """3 days after approval without a return waybill: the buyer is reminded."""

    def handle(ids):
        services.after_sale_requests_note_batch(
            ids=ids, status=Status.AWAITING_RETURN, now=now, flags={"ship_reminded": True},
            reason=R("return_reminder"))

    due = AfterSaleRequest.objects.filter(status=Status.AWAITING_RETURN,
                                          buyer_ship_by__lte=now, ship_reminded=False)
    return sweep_due(due, handle, batch_size, order=("buyer_ship_by",))


@register("aftersale.auto_close")
def auto_close(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """10 days after approval without a return waybill: closed."""

    def handle(ids):
        services.after_sale_requests_transition_batch(
            ids=ids, from_status=Status.AWAITING_RETURN, to=Status.CLOSED, now=now,
            reason=R("auto_closed"))

    due = AfterSaleRequest.objects.filter(status=Status.AWAITING_RETURN,
                                          auto_close_at__lte=now)
    return sweep_due(due, handle, batch_size, order=("auto_close_at",))


@register("aftersale.auto_receive")
def auto_receive(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """10 days after the buyer's waybill without the merchant's receipt: refunded."""
    due = AfterSaleRequest.objects.filter(status=Status.RETURNING, receive_by__lte=now)
    return _sweep_rows(due, lambda r: services.after_sale_request_auto_receive(r, now=now),
                       batch_size, "receive_by")


@register("aftersale.reship_overdue")
def reship_overdue(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """48 h after receiving an exchange's return without reshipping: recorded against the
    merchant (the request stays open until the replacement ships)."""

    def handle(ids):
        services.after_sale_requests_note_batch(
            ids=ids, status=Status.AWAITING_RESHIP, now=now, flags={"reship_overdue": True},
            reason=R("reship_missed"))
        services._record_violation(request_ids=ids, kind="reship_overdue", actor=None, now=now,
                                   reason=R("reship_missed_violation"))

    due = AfterSaleRequest.objects.filter(status=Status.AWAITING_RESHIP, reship_by__lte=now,
                                          reship_overdue=False)
    return sweep_due(due, handle, batch_size, order=("reship_by",))


def refusal_intake_due(now: datetime):
    """Returned-parcel tracking events the intake has not handled, on orders with a
    refusal. The window starts `aftersale.refusal_intake_lookback_days` before the newest
    handled event (by the courier's time), so each run reads the events of that window —
    on the (kind, at) index — not every returned parcel ever tracked. An event whose
    courier time is older than that when it finally arrives is not picked up: the
    lookback is the tolerance for late or out-of-order courier events."""
    newest = RefusedParcelIntake.objects.aggregate(newest=Max("at"))["newest"]
    due = TrackingEvent.objects.filter(kind=TrackingEvent.Kind.RETURNED, at__lte=now)
    if newest is not None:
        lookback = timedelta(days=config.get("aftersale.refusal_intake_lookback_days"))
        due = due.filter(at__gt=min(newest, now) - lookback)
    handled = RefusedParcelIntake.objects.filter(tracking_event=OuterRef("pk"))
    refused = TrackingEvent.objects.filter(order_id=OuterRef("order_id"),
                                           kind=TrackingEvent.Kind.REFUSED)
    return due.filter(Exists(refused), ~Exists(handled))


@register("aftersale.refusal_intake")
def refusal_intake(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Courier tracking shows a refused parcel back at the merchant: start the 48 h refund
    clock. Reads shop's tracking events; shop does not need to know about after-sales.
    Each event is handled once (RefusedParcelIntake), whether or not anything was left to
    refund, so a fully refunded or paid-out order is not read again."""
    seen: set[int] = set()

    def handle(ids) -> int:
        touched = 0
        for event in TrackingEvent.objects.filter(pk__in=ids).order_by("pk"):
            seen.add(event.pk)
            try:
                with transaction.atomic():
                    touched += services.refused_parcel_intake(event, now=now) or 0
            except Exception:
                logger.exception("tracking event %s: refused parcel not noted", event.pk)
        return touched

    return sweep_due(refusal_intake_due(now), handle, batch_size, order=("at",), skip=seen)


@register("aftersale.refusal_refund")
def refusal_refund(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """48 h after the refused parcel is back at the merchant: refunded automatically."""
    due = AfterSaleRequest.objects.filter(status=Status.PENDING, refusal_refund_by__lte=now)
    return _sweep_rows(due, lambda r: services.after_sale_request_refusal_refund(r, now=now),
                       batch_size, "refusal_refund_by")


@register("aftersale.quality_review")
def quality_review(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """48 h after a quality ruling without the merchant's review: the platform hands the
    buyer the return address and pays from the deposit on receipt."""
    due = AfterSaleRequest.objects.filter(status=Status.RULING_REVIEW,
                                          quality_review_by__lte=now)
    return _sweep_rows(due, lambda r: services.after_sale_request_quality_timeout(r, now=now),
                       batch_size, "quality_review_by")


@register("aftersale.refund_check")
def refund_check(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Refunds whose last attempt failed: try again. (A pending refund or payout is not
    checked here: the provider settles it and the request is told.) Every path moves
    refund_check_at ahead, clears it, or leaves "refunding", so a second run finds nothing
    due."""
    due = AfterSaleRequest.objects.filter(status=Status.REFUNDING, refund_check_at__lte=now)
    return _sweep_rows(due, lambda r: services.after_sale_request_refund_check(r, now=now),
                       batch_size, "refund_check_at")


@register("aftersale.agent_overdue")
def agent_overdue(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Support's own handling clock: an escalated case past it is flagged on the timeline
    (and stays first in the queue)."""

    def handle(ids):
        services.after_sale_requests_note_batch(
            ids=ids, status=Status.ESCALATED, now=now, flags={"agent_overdue": True},
            reason=R("agent_overdue"))

    due = AfterSaleRequest.objects.filter(status=Status.ESCALATED, agent_handle_by__lte=now,
                                          agent_overdue=False)
    return sweep_due(due, handle, batch_size, order=("agent_handle_by",))


ALL = (contact_missed, auto_approve, return_reminder, auto_close, auto_receive, reship_overdue,
       refusal_intake, refusal_refund, quality_review, refund_check, agent_overdue)


def run_all(now: datetime) -> dict[str, int]:
    """Every after-sale sweep once, in the order the clocks follow each other."""
    return {fn.__name__: fn(now) for fn in ALL}

