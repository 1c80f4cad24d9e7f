"""Registry of payment purposes: who owns a payment and what happens when it settles.

Each owning app registers its purposes in its AppConfig.ready() (the same shape as the
sweep registry in `common.deadlines`)::

    purposes.register("order.payment", on_settled=order_payment_settled)

`on_settled(payment, succeeded, now)` runs inside the transaction that settled the
payment (the payment row locked), once per settlement that the provider reports after
the request was answered "pending" — and for a pay-in that arrives after it was reported
failed. A payment whose outcome the provider answered at once is the caller's business:
the caller sees it in the returned payment.

payments never imports a domain: domains call payments, payments calls the handlers."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

Handler = Callable[..., None]


@dataclass(frozen=True)
class Purpose:
    name: str
    on_settled: Handler
    label: str = ""


_PURPOSES: dict[str, Purpose] = {}


def register(name: str, *, on_settled: Handler, label: str = "") -> None:
    if name in _PURPOSES and _PURPOSES[name].on_settled is not on_settled:
        raise ValueError(f"payment purpose {name!r} is already registered")
    _PURPOSES[name] = Purpose(name=name, on_settled=on_settled, label=label)


def get(name: str) -> Purpose | None:
    return _PURPOSES.get(name)


def registered() -> dict[str, Purpose]:
    return dict(_PURPOSES)


def notify(payment, *, succeeded: bool, now: datetime) -> None:
    purpose = _PURPOSES.get(payment.purpose)
    if purpose is None:
        raise LookupError(f"no handler registered for payment purpose {payment.purpose!r}")
    purpose.on_settled(payment, succeeded, now)


def label(name: str) -> str:
    purpose = _PURPOSES.get(name)
    return str(purpose.label) if purpose and purpose.label else name
