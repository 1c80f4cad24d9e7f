"""Live selling and short videos, pure: the short video's transition table, the order
source a buyer names, and moving a product within an ordered list."""

from __future__ import annotations

import re

SHORT_VIDEO_TRANSITIONS = {
    "published": {"removed"},
    "removed": set(),
}

SOURCE_KINDS = ("live", "video")
_SOURCE = re.compile(r"^(live|video):([1-9][0-9]{0,17})$")
SOURCE_PATTERN = _SOURCE.pattern


def source_parse(value: str) -> tuple[str, int] | None:
    """"live:12" → ("live", 12), "video:3" → ("video", 3); anything else is None."""
    match = _SOURCE.match(value or "")
    if match is None:
        return None
    return match.group(1), int(match.group(2))


def source_label(kind: str, pk: int) -> str:
    return f"{kind}:{pk}"


def list_move(ids: list[int], item: int, direction: str) -> list[int]:
    """The list with `item` moved one place "up" (earlier) or "down" (later); unchanged at
    either end or when the item is not there."""
    if item not in ids or direction not in ("up", "down"):
        return list(ids)
    result = list(ids)
    index = result.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(result):
        result[index], result[other] = result[other], result[index]
    return result
