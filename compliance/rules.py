"""Pure rules of compliance: category inheritance, qualification moves and clocks,
highlighting of screening hits. No ORM."""

import dataclasses
import unicodedata
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


# --- Category tree shape -----------------------------------------------------------------
CATEGORY_MAX_LEVEL = 3  # 一级/二级/三级; requirement lookups follow exactly this many levels


def category_parent_problem(
    *, pk, parent_pk, parents: dict, max_level: int = CATEGORY_MAX_LEVEL
) -> str:
    """Why `parent_pk` cannot be the parent of category `pk` ("" when it can):
    `cycle` (the category itself or one of its descendants) or `too_deep` (the category,
    or the deepest category below it, would end up below `max_level`). `parents` maps
    every category's pk to its parent's pk (None for a root) as stored; `pk` is None for
    a new category. Walks are bounded, so stored data that already loops cannot hang."""
    if parent_pk is None:
        level = 1
    else:
        chain = category_ancestor_ids(parent_pk, parents, limit=len(parents) + 1)
        if pk is not None and pk in chain:
            return "cycle"
        if chain[-1] in chain[:-1] or parents.get(chain[-1]) is not None:
            return "cycle"  # the stored chain above the new parent already loops
        level = len(chain) + 1
    if level > max_level:
        return "too_deep"
    if pk is not None and level + category_subtree_height(pk, parents) - 1 > max_level:
        return "too_deep"
    return ""


def category_ancestor_ids(pk, parents: dict, *, limit: int = CATEGORY_MAX_LEVEL + 1) -> list:
    """`pk` and its ancestors, nearest first, at most `limit` of them; a loop stops the
    walk where it closes (its first repeated pk is included once more)."""
    chain = [pk]
    seen = {pk}
    node = parents.get(pk)
    while node is not None and len(chain) < limit:
        chain.append(node)
        if node in seen:
            break
        seen.add(node)
        node = parents.get(node)
    return chain


def category_subtree_height(pk, parents: dict) -> int:
    """Levels from `pk` down to its deepest descendant (1 for a leaf). Bounded: a stored
    loop below `pk` is not followed twice."""
    children: dict = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    height, frontier, seen = 1, [pk], {pk}
    while True:
        frontier = [c for node in frontier for c in children.get(node, ()) if c not in seen]
        if not frontier:
            return height
        seen.update(frontier)
        height += 1


def category_levels(root_pk, root_level: int, parents: dict) -> dict:
    """The level of `root_pk` and of every category below it, once `root_pk` stands at
    `root_level`."""
    children: dict = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    levels = {root_pk: root_level}
    frontier = [root_pk]
    while frontier:
        nxt = []
        for node in frontier:
            for child in children.get(node, ()):
                if child not in levels:
                    levels[child] = levels[node] + 1
                    nxt.append(child)
        frontier = nxt
    return levels


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


# The dates a document may carry: nothing issued before the People's Republic, nothing
# valid for more than a century. Outside these, a date is a typing error (0001-01-01,
# 9999-12-31) and the clock arithmetic would leave the calendar.
EARLIEST_DOCUMENT_DATE = date(1949, 10, 1)
MAX_VALIDITY_YEARS = 100


def latest_document_date(today: date) -> date:
    try:
        return today.replace(year=today.year + MAX_VALIDITY_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_VALIDITY_YEARS, day=28)


def document_date_in_range(day: date, today: date) -> bool:
    return EARLIEST_DOCUMENT_DATE <= day <= latest_document_date(today)


def add_days(day: date, days: int) -> date:
    """`day + days`, held at the ends of the calendar instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def qualification_expires_at(
    *, valid_from: date, valid_until: date | None, max_age_days: int | None, tz: tzinfo
) -> datetime | None:
    """When a qualification stops counting: the end of its last valid day (local time),
    or the end of the day `max_age_days` after issue when the type limits the document's
    age (customs papers: issued within one year), whichever comes first. None: never
    (also when the last day is the calendar's last: there is no day after it)."""
    last_days = [d for d in (valid_until,) if d is not None]
    if max_age_days is not None:
        last_days.append(add_days(valid_from, max_age_days))
    if not last_days:
        return None
    last = min(last_days)
    if last >= date.max:
        return None
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)


def qualification_warn_at(expires_at: datetime | None, *, warning_days: int) -> datetime | None:
    if expires_at is None:
        return None
    try:
        return expires_at - timedelta(days=warning_days)
    except OverflowError:
        return expires_at


def qualification_date_problem(
    *, valid_from: date, valid_until: date | None, max_age_days: int | None, today: date
) -> str:
    """Why the dates of an uploaded qualification are unacceptable ("" when fine):
    `issued_too_early` (before EARLIEST_DOCUMENT_DATE), `not_yet_valid`,
    `ends_before_start`, `already_expired`, `ends_too_late` (valid for more than
    MAX_VALIDITY_YEARS from today), `too_old`."""
    if valid_from < EARLIEST_DOCUMENT_DATE:
        return "issued_too_early"
    if valid_from > today:
        return "not_yet_valid"
    if valid_until is not None and valid_until < valid_from:
        return "ends_before_start"
    if valid_until is not None and valid_until < today:
        return "already_expired"
    if valid_until is not None and valid_until > latest_document_date(today):
        return "ends_too_late"
    if max_age_days is not None and add_days(valid_from, max_age_days) < today:
        return "too_old"
    return ""


# --- Qualification details (the extra fields of a type) --------------------------------
# What a merchant fills in beyond the number, the issuer and the validity, per type code.
# Stored normalised in Qualification.details: texts stripped, dates as ISO strings, the
# chain as a list of {authoriser, authorised, valid_until}. `seed_data.QUALIFICATION_TYPES`
# lists the same keys (a test keeps the two in step).
TEXT, CHOICE, DATE, CHAIN = "text", "choice", "date", "chain"
ISSUED_ON, BATCH = "issued_on", "batch"  # roles checked across the fields of one type


@dataclass(frozen=True)
class DetailField:
    key: str
    kind: str = TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    # ISSUED_ON: a document's issue date, limited by the type's max_age_days;
    # BATCH: a batch number that must be the same on every document of the qualification.
    role: str = ""


QUALIFICATION_DETAIL_FIELDS: dict[str, tuple[DetailField, ...]] = {
    "business_licence": (
        DetailField("entity_kind", CHOICE, required=False,
                    choices=("enterprise", "individual_business")),
        DetailField("business_scope", required=False),
    ),
    "food_business_licence": (DetailField("business_items", required=False),),
    "brand_authorisation": (
        DetailField("brand_name"),
        DetailField("trademark_holder"),
        DetailField("authorisation_chain", CHAIN),
    ),
    "cosmetics_filing": (
        DetailField("filing_kind", CHOICE, choices=("special", "non_special")),
        DetailField("origin", CHOICE, choices=("domestic", "imported")),
    ),
    "import_customs_inspection": (
        DetailField("declaration_number"),
        DetailField("declaration_batch_number", role=BATCH),
        DetailField("declaration_issued_on", DATE, role=ISSUED_ON),
        DetailField("inspection_certificate_number"),
        DetailField("inspection_batch_number", role=BATCH),
        DetailField("inspection_issued_on", DATE, role=ISSUED_ON),
    ),
}
CHAIN_LINK_KEYS = ("authoriser", "authorised", "valid_until")


@dataclass(frozen=True)
class DetailProblem:
    """Why the details are unacceptable. `field` is a details key, or
    `<chain key>.<link index>.<link key>` for one link of a chain."""

    code: str
    field: str
    params: dict = dataclasses.field(default_factory=dict)


def detail_fields(type_code: str) -> tuple[DetailField, ...]:
    return QUALIFICATION_DETAIL_FIELDS.get(type_code, ())


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def party_key(name: str) -> str:
    """How two spellings of one party (or batch number) are compared: full-width and
    half-width alike (NFKC: （） is ()), spaces ignored, case ignored."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def qualification_details_normalised(type_code: str, details) -> dict:
    """Only the type's fields, texts stripped, dates as ISO strings, blank optional
    fields and wholly blank chain links dropped (a form offers a few spare rows)."""
    details = details if isinstance(details, dict) else {}
    result: dict = {}
    for spec in detail_fields(type_code):
        value = details.get(spec.key)
        if spec.kind == CHAIN:
            links = []
            for link in value if isinstance(value, (list, tuple)) else ():
                link = link if isinstance(link, dict) else {}
                row = {key: _as_text(link.get(key)) for key in CHAIN_LINK_KEYS}
                if any(row.values()):
                    links.append(row)
            if links:
                result[spec.key] = links
        else:
            text = _as_text(value)
            if text:
                result[spec.key] = text
    return result


def qualification_details_problems(
    type_code: str, details: dict, *, registered_name: str, today: date,
    max_age_days: int | None,
) -> list[DetailProblem]:
    """Everything wrong with normalised details, in the order of the fields ([] = fine).
    Date-dependent checks (issue dates within `max_age_days`, chain links not expired)
    use `today`, so they are run again when a reviewer decides."""
    problems: list[DetailProblem] = []
    batches: list[tuple[str, str]] = []
    for spec in detail_fields(type_code):
        value = details.get(spec.key)
        if spec.kind == CHAIN:
            problems += _chain_problems(
                details.get(spec.key) or [], key=spec.key,
                holder=details.get("trademark_holder", ""), registered_name=registered_name,
                today=today,
            )
            continue
        if not value:
            if spec.required:
                problems.append(DetailProblem("missing", spec.key))
            continue
        if spec.kind == CHOICE and value not in spec.choices:
            problems.append(DetailProblem("invalid_choice", spec.key))
        if spec.kind == DATE:
            day = parse_date(value)
            if day is None:
                problems.append(DetailProblem("invalid_date", spec.key))
            elif not document_date_in_range(day, today):
                problems.append(_date_out_of_range(spec.key, day, today))
            elif spec.role == ISSUED_ON:
                problems += _issue_date_problems(spec.key, day, today, max_age_days)
        if spec.role == BATCH:
            batches.append((spec.key, value))
    if len({party_key(value) for _key, value in batches}) > 1:
        (_first_key, first), (second_key, second) = batches[0], batches[-1]
        problems.append(
            DetailProblem("batch_mismatch", second_key, {"first": first, "second": second})
        )
    return problems


def _date_out_of_range(key, day, today, **params):
    return DetailProblem(
        "date_out_of_range", key,
        {"date": day, "earliest": EARLIEST_DOCUMENT_DATE, "latest": latest_document_date(today),
         **params},
    )


def _issue_date_problems(key, day, today, max_age_days):
    if day > today:
        return [DetailProblem("issued_in_future", key, {"date": day})]
    if max_age_days is not None and add_days(day, max_age_days) < today:
        return [DetailProblem("document_too_old", key, {"date": day, "days": max_age_days})]
    return []


def _chain_problems(links, *, key, holder, registered_name, today) -> list[DetailProblem]:
    """The chain must run from the trademark holder to the store's registered name, each
    link granted by the party the previous one authorised, none expired, no party twice.
    No link at all is right only when the store itself holds the trademark."""
    if not links:
        if holder and party_key(holder) == party_key(registered_name):
            return []
        return [DetailProblem("chain_missing", key)]
    problems: list[DetailProblem] = []
    complete = True
    for i, link in enumerate(links):
        blank = [k for k in CHAIN_LINK_KEYS if not link.get(k)]
        if blank:
            complete = False
            problems.append(DetailProblem("chain_link_incomplete", f"{key}.{i}.{blank[0]}",
                                          {"n": i + 1}))
            continue
        until = parse_date(link["valid_until"])
        if until is None:
            problems.append(DetailProblem("invalid_date", f"{key}.{i}.valid_until", {"n": i + 1}))
        elif until > latest_document_date(today):
            problems.append(_date_out_of_range(f"{key}.{i}.valid_until", until, today, n=i + 1))
        elif until < today:
            problems.append(DetailProblem(
                "chain_link_expired", f"{key}.{i}.valid_until",
                {"n": i + 1, "authoriser": link["authoriser"], "authorised": link["authorised"],
                 "date": until},
            ))
    if not complete:
        return problems  # where the chain breaks cannot be told with links half filled in
    if holder and party_key(links[0]["authoriser"]) != party_key(holder):
        problems.append(DetailProblem(
            "chain_start", f"{key}.0.authoriser",
            {"holder": holder, "name": links[0]["authoriser"]},
        ))
    for i in range(1, len(links)):
        if party_key(links[i]["authoriser"]) != party_key(links[i - 1]["authorised"]):
            problems.append(DetailProblem(
                "chain_gap", f"{key}.{i}.authoriser",
                {"n": i + 1, "previous": i, "name": links[i]["authoriser"],
                 "expected": links[i - 1]["authorised"]},
            ))
    last = len(links) - 1
    if party_key(links[last]["authorised"]) != party_key(registered_name):
        problems.append(DetailProblem(
            "chain_end", f"{key}.{last}.authorised",
            {"name": links[last]["authorised"], "expected": registered_name},
        ))
    seen = {party_key(holder or links[0]["authoriser"])}
    for i, link in enumerate(links):
        name = party_key(link["authorised"])
        if name in seen:
            problems.append(DetailProblem(
                "chain_loop", f"{key}.{i}.authorised", {"n": i + 1, "name": link["authorised"]}
            ))
        seen.add(name)
    return problems


def qualification_effective_dates(
    type_code: str, *, valid_from: date | None, valid_until: date | None, details: dict
) -> tuple[date | None, date | None]:
    """(issued, last valid day) that count for the clocks: the oldest of the issue dates
    (a customs declaration and its inspection certificate each have one) and the earliest
    end (an authorisation chain is only as valid as its first link to expire)."""
    issued = [valid_from] if valid_from is not None else []
    ends = [valid_until] if valid_until is not None else []
    for spec in detail_fields(type_code):
        if spec.role == ISSUED_ON and (day := parse_date(details.get(spec.key) or "")):
            issued.append(day)
        if spec.kind == CHAIN:
            for link in details.get(spec.key) or []:
                if day := parse_date(link.get("valid_until") or ""):
                    ends.append(day)
    return (min(issued) if issued else None, min(ends) if ends else None)


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
