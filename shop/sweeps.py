"""Deadline sweeps of the shop app, registered with common.deadlines.

Each sweep takes what is due in batches: the due rows are locked with
select_for_update(skip_locked=True) in the order of an indexed (status, clock) pair
(common.sweeps), moved with one
UPDATE and one bulk insert of events per batch. A row is due only while it is still in
the state the clock belongs to (or its flag is unset), so running a sweep twice, or in
two processes at once, moves nothing the second time."""

from datetime import datetime

from common import config
from common.deadlines import register
from common.sweeps import sweep_due
from compliance.enforcement.models import SourceKind
from compliance.enforcement.services import violation_record
from compliance.reasons import R as COMPLIANCE_R
from shop.models import Order
from shop.reasons import R
from shop.services.orders import (
    orders_note_batch,
    orders_release_stock,
    orders_transition_batch,
)

BATCH_SIZE = 500


def _record_late(ids, *, type_key: str, reason_code: str, now: datetime) -> None:
    """One violation of the configured type per order (recording it again for the same
    order returns the first one)."""
    type_code = config.get(type_key)
    for order in Order.objects.filter(pk__in=ids).only("pk", "store_id", "number").order_by("pk"):
        violation_record(store=order.store_id, type=type_code,
                         source_kind=SourceKind.DATA_SCREENING, source=order, actor=None,
                         reason=COMPLIANCE_R(reason_code, order=order.number), now=now)


@register("orders.cancel_unpaid")
def cancel_unpaid_orders(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Unpaid orders past pay_by are cancelled and their stock released (once: the rows
    leave pending_payment in the same transaction)."""

    def handle(ids):
        orders_transition_batch(
            order_ids=ids, from_status=Order.Status.PENDING_PAYMENT, to=Order.Status.CANCELLED,
            reason=R("not_paid_in_time"), now=now,
        )
        orders_release_stock(ids, now)

    due = Order.objects.filter(status=Order.Status.PENDING_PAYMENT, pay_by__lte=now)
    return sweep_due(due, handle, batch_size, order=("pay_by",))


@register("orders.mark_ship_late")
def mark_late_shipping(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Paid orders still not shipped at ship_by are marked late (the order stays to ship)."""

    def handle(ids):
        orders_note_batch(order_ids=ids, status=Order.Status.PAID,
                          reason=R("ship_deadline_missed"), now=now,
                          flags={"shipped_late": True})
        _record_late(ids, type_key="violation.shipped_late_type", reason_code="late_shipment",
                     now=now)

    due = Order.objects.filter(status=Order.Status.PAID, ship_by__lte=now, shipped_late=False)
    return sweep_due(due, handle, batch_size, order=("ship_by",))


@register("orders.mark_pickup_late")
def mark_late_pickup(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Orders without a courier pickup scan by pickup_by are marked late."""
    total = 0
    for status in (Order.Status.PAID, Order.Status.SHIPPED):

        def handle(ids, status=status):
            orders_note_batch(order_ids=ids, status=status,
                              reason=R("pickup_deadline_missed"), now=now,
                              flags={"pickup_late": True})
            _record_late(ids, type_key="violation.pickup_late_type",
                         reason_code="late_pickup", now=now)

        due = Order.objects.filter(
            status=status, pickup_by__lte=now, picked_up_at__isnull=True, pickup_late=False
        )
        total += sweep_due(due, handle, batch_size, order=("pickup_by",))
    return total


@register("orders.auto_complete")
def complete_signed_orders(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Delivered orders complete automatically at complete_by."""

    def handle(ids):
        orders_transition_batch(
            order_ids=ids, from_status=Order.Status.SIGNED, to=Order.Status.COMPLETED,
            reason=R("auto_completed"), now=now,
        )

    due = Order.objects.filter(status=Order.Status.SIGNED, complete_by__lte=now)
    return sweep_due(due, handle, batch_size, order=("complete_by",))
