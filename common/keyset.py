"""Keyset pagination for the pages of long lists.

A page is the next `size` rows after (or before) the last row seen, in an order an index
serves: the database reads `size + 1` index entries whatever the page, where OFFSET reads
every row before it. The cursor in the link is the sort key of that row; a cursor that
does not parse is the first page."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.db.models import F, Q, QuerySet

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class KeysetPage:
    object_list: list
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True
    params: dict = field(default_factory=dict)

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor or not self.is_first)


class CappedCount(int):
    """A bounded count (read with LIMIT cap + 1): shown as "10,000+" once past the cap."""

    cap = 10_000

    def __new__(cls, value, cap: int = 10_000):
        self = super().__new__(cls, value)
        self.cap = cap
        return self

    def __str__(self):
        if self > self.cap:
            return f"{self.cap:,}+"
        return f"{int(self):,}"


def _encode(value) -> str:
    if value is None:
        return "n"
    if isinstance(value, datetime):
        delta = value - _EPOCH
        return "d" + str((delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds)
    if isinstance(value, int):
        return "i" + str(value)
    if isinstance(value, Decimal) and value.is_finite():
        # "." separates the keys of a cursor
        return "m" + format(value, "f").replace(".", "_")
    raise TypeError(f"cannot page on {type(value).__name__}")


def _decode(text: str):
    kind, raw = text[:1], text[1:]
    if text == "n":
        return None
    if kind == "m":
        whole, _sep, places = raw.partition("_")
        if (not whole.lstrip("-").isdigit() or len(whole) > 20
                or (places and (not places.isdigit() or len(places) > 10))):
            raise ValueError(text)
        return Decimal(raw.replace("_", "."))
    if not raw.lstrip("-").isdigit() or len(raw) > 20:
        raise ValueError(text)
    number = int(raw)
    if kind == "d":
        return _EPOCH + timedelta(microseconds=number)
    if kind == "i":
        return number
    raise ValueError(text)


def _cursor(row, keys) -> str:
    return ".".join(_encode(getattr(row, key.lstrip("-"))) for key in keys)


def _parse(cursor: str, keys) -> list | None:
    parts = (cursor or "").split(".")
    if len(parts) != len(keys):
        return None
    try:
        return [_decode(part) for part in parts]
    except (ValueError, OverflowError):
        return None


_NOTHING = Q(pk__in=[])


def _beyond(keys, values, *, forward: bool, nullable=()) -> Q:
    """Rows strictly past `values` in the order of `keys` (forward) or before it. A key in
    `nullable` sorts its NULLs last when ascending and first when descending (PostgreSQL's
    own index order, asked for explicitly by `_order`)."""
    condition = Q()
    for index in range(len(keys) - 1, -1, -1):
        name = keys[index].lstrip("-")
        descending = keys[index].startswith("-")
        value = values[index]
        op = "lt" if descending == forward else "gt"
        if name in nullable:
            nulls_later = descending != forward  # NULLs come later in this direction
            if value is None:
                step = _NOTHING if nulls_later else Q(**{f"{name}__isnull": False})
                same = Q(**{f"{name}__isnull": True})
            else:
                step = Q(**{f"{name}__{op}": value})
                if nulls_later:
                    step |= Q(**{f"{name}__isnull": True})
                same = Q(**{name: value})
        else:
            step = Q(**{f"{name}__{op}": value})
            same = Q(**{name: value})
        if index < len(keys) - 1:
            step |= same & condition
        condition = step
    return condition


def _order(keys, nullable=()) -> list:
    order = []
    for key in keys:
        name = key.lstrip("-")
        if name not in nullable:
            order.append(key)
        elif key.startswith("-"):
            order.append(F(name).desc(nulls_first=True))
        else:
            order.append(F(name).asc(nulls_last=True))
    return order


def keyset_page(qs: QuerySet, *, keys: tuple[str, ...], size: int, after: str = "",
                before: str = "", nullable: tuple[str, ...] = ()) -> KeysetPage:
    """One page of `qs` ordered by `keys` (the last key unique, e.g. "-pk" → use "-id").
    `after` / `before` are cursors from an earlier page's links. Keys named in `nullable`
    may be NULL (sorted last ascending, first descending)."""
    ordered = qs.order_by(*_order(keys, nullable))
    values = _parse(before, keys) if before else None
    if values is not None:
        reverse = tuple(k[1:] if k.startswith("-") else "-" + k for k in keys)
        rows = list(qs.filter(_beyond(keys, values, forward=False, nullable=nullable))
                    .order_by(*_order(reverse, nullable))[:size + 1])
        has_more = len(rows) > size
        rows = rows[:size][::-1]
        return KeysetPage(
            object_list=rows,
            next_cursor=_cursor(rows[-1], keys) if rows else "",
            previous_cursor=_cursor(rows[0], keys) if rows and has_more else "",
            is_first=not has_more,
        )
    values = _parse(after, keys) if after else None
    if values is not None:
        ordered = ordered.filter(_beyond(keys, values, forward=True, nullable=nullable))
    rows = list(ordered[:size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        object_list=rows,
        next_cursor=_cursor(rows[-1], keys) if rows and has_more else "",
        previous_cursor=_cursor(rows[0], keys) if rows and values is not None else "",
        is_first=values is None,
    )
