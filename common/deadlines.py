"""Registry of deadline sweeps. Each app registers one function per kind of clock in its
AppConfig.ready(); `enforce_deadlines` runs them all once.

A sweep takes `now` and returns how many rows it moved. It must be idempotent: running it
twice, or in two processes at once, moves nothing the second time.

Sweeps run in the order they were registered (apps in INSTALLED_APPS order, then the order
of their sweeps module), so a module lists its clocks in the order they follow each other:
after an outage, a missed 36 h contact is recorded before the 72 h auto-approval moves the
request on."""

from collections.abc import Callable, Collection
from datetime import datetime

from django.utils import timezone

Sweep = Callable[[datetime], int]
_SWEEPS: dict[str, Sweep] = {}


def register(name: str):
    def decorator(func: Sweep) -> Sweep:
        _SWEEPS[name] = func
        return func

    return decorator


def registered() -> dict[str, Sweep]:
    return dict(_SWEEPS)


def run_all(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {name: sweep(now) for name, sweep in _SWEEPS.items()}


def sweep_batches(due, handle: Callable[[list], int | None], batch_size: int, *,
                  skip: Collection = ()) -> int:
    """common.sweeps.sweep_due in primary-key order (kept for sweeps without a clock
    column). Page over the due rows (`due`, a queryset) in pk order,
    `batch_size` at a time, each batch locked with select_for_update(skip_locked=True) —
    rows another worker holds are left to it — and handed as ids to `handle` inside the
    batch's transaction. `handle` returns how many it moved (None: all of them). Ids in
    `skip` (rows that failed this run; the caller may add to it) are not taken again.
    Returns the total moved. A short batch is the last one."""
    from common.sweeps import sweep_due

    return sweep_due(due, handle, batch_size, skip=skip)
