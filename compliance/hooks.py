"""What compliance tells the apps above it. Compliance may not import them (imports only go
down), so an app that must react to a compliance event subscribes a handler in its
AppConfig.ready(), and compliance announces the event here — the same shape as the sweep
registry in `common.deadlines`.

Announcing calls every subscriber of the event at once, in the order they subscribed,
inside the announcer's transaction: what a subscriber writes commits or rolls back with the
event, and an exception in a subscriber undoes the announcer's work too.

Events and the keyword arguments every subscriber receives:

``qualification_expired``
    A store no longer holds an approved, unexpired qualification of a type.
    ``store_id``; ``qualification`` (the expired one); ``category_ids`` (frozenset: the
    categories whose products need that type); ``reason`` (a `common.reasons.Reason`: what
    a delisting shows); ``now``.
``qualification_restored``
    A qualification of the store was approved: what was waiting for qualifications may be
    complete now (whatever its type: a product may have waited for two).
    ``store_id``; ``qualification`` (the approved one); ``reason`` (a `common.reasons.Reason`:
    what a relisting shows); ``now``.
``credit_score_zero``
    A store's credit score reached 0: the remaining store-account balance is deducted.
    ``store_id``; ``violation`` (the one that took it to 0); ``reason`` (a
    `common.reasons.Reason`); ``now``.
``products_delist``
    A reviewer's measure takes products off sale: ``store_id``; ``product_ids`` (a list, or
    None for every listed product of the store); ``reason`` (the reviewer's words);
    ``actor``; ``now``.
``products_relist``
    A re-inspection passed: the products a failed inspection delisted go back on sale.
    Same arguments as ``products_delist``.
"""

from collections.abc import Callable

QUALIFICATION_EXPIRED = "qualification_expired"
QUALIFICATION_RESTORED = "qualification_restored"
CREDIT_SCORE_ZERO = "credit_score_zero"
PRODUCTS_DELIST = "products_delist"
PRODUCTS_RELIST = "products_relist"

EVENTS: dict[str, frozenset[str]] = {
    QUALIFICATION_EXPIRED: frozenset({"store_id", "qualification", "category_ids", "reason", "now"}),
    QUALIFICATION_RESTORED: frozenset({"store_id", "qualification", "reason", "now"}),
    CREDIT_SCORE_ZERO: frozenset({"store_id", "violation", "reason", "now"}),
    PRODUCTS_DELIST: frozenset({"store_id", "product_ids", "reason", "actor", "now"}),
    PRODUCTS_RELIST: frozenset({"store_id", "product_ids", "reason", "actor", "now"}),
}

Subscriber = Callable[..., None]
_SUBSCRIBERS: dict[str, list[Subscriber]] = {event: [] for event in EVENTS}


def _known(event: str) -> None:
    if event not in EVENTS:
        raise LookupError(f"unknown compliance event {event!r}")


def subscribe(event: str, func: Subscriber | None = None):
    """Call `func(**kwargs)` whenever `event` is announced. Usable as a decorator
    (`@subscribe(event)`). Subscribing the same function twice has no further effect."""
    _known(event)

    def decorator(func: Subscriber) -> Subscriber:
        if func not in _SUBSCRIBERS[event]:
            _SUBSCRIBERS[event].append(func)
        return func

    return decorator if func is None else decorator(func)


def subscribers(event: str) -> tuple[Subscriber, ...]:
    _known(event)
    return tuple(_SUBSCRIBERS[event])


def announce(event: str, **kwargs) -> None:
    """Call the event's subscribers, in subscription order, in the caller's transaction."""
    _known(event)
    if set(kwargs) != EVENTS[event]:
        raise TypeError(
            f"{event} takes {sorted(EVENTS[event])}, announced with {sorted(kwargs)}"
        )
    for func in tuple(_SUBSCRIBERS[event]):
        func(**kwargs)
