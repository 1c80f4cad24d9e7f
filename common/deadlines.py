"""Registry of deadline sweeps. Each app registers one function per kind of clock in its
AppConfig.ready(); `enforce_deadlines` runs them all once.

A sweep takes `now` and returns how many rows it moved. It must be idempotent: running it
twice, or in two processes at once, moves nothing the second time."""

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
    return {name: sweep(now) for name, sweep in sorted(_SWEEPS.items())}
