"""What the product review tells the apps above the shop. Shop may not import them (imports
only go down), so an app that must react subscribes a handler in its AppConfig.ready(),
and the review service announces here (the shape of `compliance.hooks`).

Subscribers run inside the reviewer's transaction, in the order they subscribed: what
they write commits or rolls back with the decision.

``review_rejected(*, product, reason, actor, now)``
    A new product's review was rejected (the product is now rejected, never on sale):
    ``reason`` is the reviewer's words, ``actor`` the reviewer.
"""

from collections.abc import Callable

_REJECTED: list[Callable[..., None]] = []


def on_review_rejected(func: Callable[..., None]) -> Callable[..., None]:
    if func not in _REJECTED:
        _REJECTED.append(func)
    return func


def review_rejected(*, product, reason: str, actor, now) -> None:
    for func in list(_REJECTED):
        func(product=product, reason=reason, actor=actor, now=now)
