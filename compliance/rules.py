"""Pure rules of compliance: category inheritance, qualification moves and clocks,
highlighting of screening hits. No ORM."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal


@dataclass(frozen=True)
class EffectiveCategory:
    status: str
    service_fee_rate: Decimal | None
    seven_day_return: bool
    lightning_purchase: bool
    lightning_base_only: bool
    prepackaged_food: bool
    qualification_type_ids: frozenset = field(default_factory=frozenset)
    blocked_by: str = ""  # name of the node whose status closes this category


def category_effective(chain, *, default_status="open") -> EffectiveCategory:
    """Resolve a category's flags from its ancestors, root first. A blank (None or "")
    flag inherits the nearest ancestor's value. Qualification requirements add up down
    the tree. `chain` items need: name, status, service_fee_rate, seven_day_return,
    lightning_purchase, lightning_base_only, prepackaged_food, qualification_type_ids."""
    status, blocked_by = default_status, ""
    fee = None
    seven_day = True
    lightning = False
    base_only = False
    food = False
    quals: set = set()
    for node in chain:
        if node.status:
            status = node.status
            blocked_by = node.name if node.status != "open" else ""
        if node.service_fee_rate is not None:
            fee = node.service_fee_rate
        if node.seven_day_return is not None:
            seven_day = node.seven_day_return
        if node.lightning_purchase is not None:
            lightning = node.lightning_purchase
        base_only = base_only or bool(node.lightning_base_only)
        if node.prepackaged_food is not None:
            food = node.prepackaged_food
        quals.update(node.qualification_type_ids)
    return EffectiveCategory(
        status=status,
        service_fee_rate=fee,
        seven_day_return=seven_day,
        lightning_purchase=lightning,
        lightning_base_only=base_only,
        prepackaged_food=food,
        qualification_type_ids=frozenset(quals),
        blocked_by=blocked_by,
    )


FOOD_LABEL_FIELDS = (
    "name",
    "ingredients",
    "net_content",
    "producer",
    "producer_address",
    "production_date",
    "shelf_life",
    "storage",
    "licence_number",
    "standard_code",
)


# --- Qualifications -------------------------------------------------------------------
# Allowed status moves of a qualification; `qualification_transition` enforces them.
QUALIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected"}),
    "approved": frozenset({"expired", "superseded"}),
    "rejected": frozenset(),
    "expired": frozenset(),
    "superseded": frozenset(),
}


def qualification_can_move(from_status: str, to_status: str) -> bool:
    return to_status in QUALIFICATION_TRANSITIONS.get(from_status, frozenset())


def qualification_expires_at(
    *, valid_from: date, valid_until: date | None, max_age_days: int | None, tz: tzinfo
) -> datetime | None:
    """When a qualification stops counting: the end of its last valid day (local time),
    or the end of the day `max_age_days` after issue when the type limits the document's
    age (customs papers: issued within one year), whichever comes first. None: never."""
    last_days = [d for d in (valid_until,) if d is not None]
    if max_age_days is not None:
        last_days.append(valid_from + timedelta(days=max_age_days))
    if not last_days:
        return None
    last = min(last_days)
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)


def qualification_warn_at(expires_at: datetime | None, *, warning_days: int) -> datetime | None:
    if expires_at is None:
        return None
    return expires_at - timedelta(days=warning_days)


def qualification_date_problem(
    *, valid_from: date, valid_until: date | None, max_age_days: int | None, today: date
) -> str:
    """Why the dates of an uploaded qualification are unacceptable ("" when fine):
    `not_yet_valid`, `ends_before_start`, `already_expired`, `too_old`."""
    if valid_from > today:
        return "not_yet_valid"
    if valid_until is not None and valid_until < valid_from:
        return "ends_before_start"
    if valid_until is not None and valid_until < today:
        return "already_expired"
    if max_age_days is not None and valid_from + timedelta(days=max_age_days) < today:
        return "too_old"
    return ""


# --- Screening hits -------------------------------------------------------------------
def split_by_hits(text: str, hits) -> list[tuple[str, dict | None]]:
    """Cut `text` into (piece, hit-or-None) for highlighting in place. `hits` are dicts
    with start/end offsets into `text`; overlapping or out-of-range hits are skipped so a
    stale hit list can never garble the text."""
    pieces: list[tuple[str, dict | None]] = []
    pos = 0
    for hit in sorted(hits, key=lambda h: (h["start"], -h["end"])):
        start, end = hit["start"], hit["end"]
        if start < pos or end > len(text) or start >= end:
            continue
        if start > pos:
            pieces.append((text[pos:start], None))
        pieces.append((text[start:end], hit))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], None))
    return pieces
