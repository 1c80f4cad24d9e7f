"""The preamble every keyed write shares: a request repeated under the same idempotency key
(or the same cause) gets the row the first one wrote, also when both arrive at once."""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, transaction

T = TypeVar("T")


def once(find: Callable[[], T | None], create: Callable[[], T]) -> tuple[T, bool]:
    """The row `find` returns when the key was used already; otherwise `create` (run inside
    a savepoint). When a concurrent request with the same key wins the race, the unique
    constraint refuses ours and its row is returned. Returns ``(row, created)``."""
    existing = find()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = find()
        if existing is None:
            raise
        return existing, False
