"""The batched loop every deadline sweep shares (shop, after-sales, compliance, promotions).

A sweep moves the rows whose clock has run out. Each batch, in its own transaction:

1. one SELECT of the next `batch_size` due ids, in the clock's index order
   (`ORDER BY clock, id` over the (status, clock) index: the database stops after
   `batch_size` index entries, where an `ORDER BY id` had to read and sort every due row
   on every batch), locked with `FOR UPDATE SKIP LOCKED` on PostgreSQL — rows another
   worker holds are left to it, so two sweeps at once split the work;
2. `handle(ids)`: the app's set-based move (one UPDATE guarded by the state that owns the
   clock, one bulk INSERT of the event rows, …);
3. COMMIT.

A moved row leaves the due set (its state changed, its flag is set, its clock cleared) in
the same transaction, so a second run — or a second worker — finds nothing: each effect
happens once. Rows a batch could not move (`skip`, filled by the caller) are not taken
again in this run. A short batch is the last one."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from django.db import transaction
from django.db.models import QuerySet


def _ordered(due: QuerySet, order: Iterable[str]) -> QuerySet:
    keys = [key for key in order if key not in ("pk", "id")]
    return due.order_by(*keys, "pk")


def sweep_due(due: QuerySet, handle: Callable[[list], int | None], batch_size: int, *,
              order: Iterable[str] = (), skip: Collection = ()) -> int:
    """Page over the due rows (`due`, a queryset) `batch_size` at a time in the order of
    `order` (the clock's column, e.g. ("pay_by",); the primary key breaks ties), each
    batch locked with select_for_update(skip_locked=True) and handed as ids to `handle`
    inside the batch's transaction. `handle` returns how many it moved (None: all of
    them). Ids in `skip` (rows that failed this run; the caller may add to it) are not
    taken again. Returns the total moved."""
    ordered = _ordered(due, order)
    moved = 0
    while True:
        with transaction.atomic():
            queryset = ordered.exclude(pk__in=skip) if skip else ordered
            ids = list(queryset.select_for_update(skip_locked=True)
                       .values_list("pk", flat=True)[:batch_size])
            if not ids:
                return moved
            done = handle(ids)
            moved += len(ids) if done is None else done
        if len(ids) < batch_size:
            return moved


def sweep_due_rows(due: QuerySet, handle_row: Callable[[object], object], batch_size: int, *,
                   order: Iterable[str] = ()) -> int:
    """The same loop for sweeps that move row by row through a service taking the model
    instance: the locked batch's rows are read in the same SELECT (no second query for
    them) and handed one by one to `handle_row`."""
    ordered = _ordered(due, order)
    moved = 0
    while True:
        with transaction.atomic():
            rows = list(ordered.select_for_update(skip_locked=True)[:batch_size])
            for row in rows:
                handle_row(row)
            moved += len(rows)
        if len(rows) < batch_size:
            return moved
