"""Deadline sweeps of the shop app, registered with common.deadlines.

Each sweep takes what is due in batches: the due rows are locked with
select_for_update(skip_locked=True) on an indexed (status, clock) pair, moved with one
UPDATE and one bulk insert of events per batch. A row is due only while it is still in
the state the clock belongs to (or its flag is unset), so running a sweep twice, or in
two processes at once, moves nothing the second time."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from common.deadlines import register
from shop.models import Order
from shop.services.orders import (
    orders_note_batch,
    orders_release_stock,
    orders_transition_batch,
)

BATCH_SIZE = 500


def _sweep(due_qs, handle, batch_size: int) -> int:
    moved = 0
    while True:
        with transaction.atomic():
            ids = list(
                due_qs.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return moved
            handle(ids)
            moved += len(ids)
        if len(ids) < batch_size:
            return moved


@register("orders.cancel_unpaid")
def cancel_unpaid_orders(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Unpaid orders past pay_by are cancelled and their stock released (once: the rows
    leave pending_payment in the same transaction)."""

    def handle(ids):
        orders_transition_batch(
            order_ids=ids, from_status=Order.Status.PENDING_PAYMENT, to=Order.Status.CANCELLED,
            reason=_("Not paid in time"), now=now,
        )
        orders_release_stock(ids)

    due = Order.objects.filter(status=Order.Status.PENDING_PAYMENT, pay_by__lte=now)
    return _sweep(due, handle, batch_size)


@register("orders.mark_ship_late")
def mark_late_shipping(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Paid orders still not shipped at ship_by are marked late (the order stays to ship)."""

    def handle(ids):
        orders_note_batch(order_ids=ids, status=Order.Status.PAID,
                          reason=_("Shipping deadline missed"), now=now,
                          flags={"shipped_late": True})

    due = Order.objects.filter(status=Order.Status.PAID, ship_by__lte=now, shipped_late=False)
    return _sweep(due, handle, batch_size)


@register("orders.mark_pickup_late")
def mark_late_pickup(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Orders without a courier pickup scan by pickup_by are marked late."""
    total = 0
    for status in (Order.Status.PAID, Order.Status.SHIPPED):

        def handle(ids, status=status):
            orders_note_batch(order_ids=ids, status=status,
                              reason=_("Courier pickup deadline missed"), now=now,
                              flags={"pickup_late": True})

        due = Order.objects.filter(
            status=status, pickup_by__lte=now, picked_up_at__isnull=True, pickup_late=False
        )
        total += _sweep(due, handle, batch_size)
    return total


@register("orders.auto_complete")
def complete_signed_orders(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Delivered orders complete automatically at complete_by."""

    def handle(ids):
        orders_transition_batch(
            order_ids=ids, from_status=Order.Status.SIGNED, to=Order.Status.COMPLETED,
            reason=_("Completed automatically after delivery"), now=now,
        )

    due = Order.objects.filter(status=Order.Status.SIGNED, complete_by__lte=now)
    return _sweep(due, handle, batch_size)
