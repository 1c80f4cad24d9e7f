"""Registry of deadline sweeps. Each app registers one function per kind of clock in its
AppConfig.ready(); `enforce_deadlines` runs them all once.

A sweep takes `now` and returns how many rows it moved. It must be idempotent: running it
twice, or in two processes at once, moves nothing the second time.

Sweeps run in the order they were registered (apps in INSTALLED_APPS order, then the order
of their sweeps module), so a module lists its clocks in the order they follow each other:
after an outage, a missed 36 h contact is recorded before the 72 h auto-approval moves the
request on."""

from collections.abc import Callable
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
