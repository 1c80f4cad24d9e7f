"""Where the rules that bit a merchant come from, for "recommended for you".

The academy knows no domain app. A domain app registers a source in its
`AppConfig.ready()`::

    from academy import recommendations
    recommendations.register(my_recent_hits)

where ``my_recent_hits(user, *, since, now)`` returns what bit that merchant since
`since`: `RuleHit` rows (or ``(kind, key)`` / ``(kind, key, at)`` tuples) named like the
lesson links (("violation_type", "late_shipment"), ("aftersale_clock", "receive_by"), …).
The academy turns them into lessons through the links reviewers maintain."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class RuleHit:
    kind: str
    key: str
    at: datetime | None = None


Source = Callable[..., Iterable]
_SOURCES: list[Source] = []


def register(source: Source) -> Source:
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def unregister(source: Source) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


def sources() -> list[Source]:
    return list(_SOURCES)


def as_hit(item) -> RuleHit:
    if isinstance(item, RuleHit):
        return item
    kind, key, *rest = item
    return RuleHit(str(kind), "" if key is None else str(key), rest[0] if rest else None)


def collect(user, *, since: datetime, now: datetime) -> list[RuleHit]:
    """Every registered source's hits for `user`, most recent first."""
    hits = [as_hit(item) for source in _SOURCES for item in source(user, since=since, now=now)]
    return sorted(hits, key=lambda h: h.at or now, reverse=True)
