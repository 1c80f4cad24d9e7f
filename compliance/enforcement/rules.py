"""Pure rules of enforcement: the credit-score nodes (信用分节点), what a deduction starts,
what a restored score lifts, the appeal window and the status tables. No ORM."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

# --- what a restriction stops ------------------------------------------------------------------
WARNING = "warning"    # 公示警告: shown publicly on the store, stops nothing
PUBLISH = "publish"    # 限制发布商品: products cannot be submitted
CAMPAIGN = "campaign"  # 限制提报营销活动: platform campaign sign-ups are refused
CART = "cart"          # 暂停使用购物车功能: the cart and ordering are closed
FUNDS = "funds"        # 冻结帐户: withdrawals and payouts stop
KINDS = (WARNING, PUBLISH, CAMPAIGN, CART, FUNDS)
NODE_KINDS = (WARNING, PUBLISH, CAMPAIGN, CART)


@dataclass(frozen=True)
class Node:
    """A credit-score node: reached when the score falls to `score` or below; its warning
    and restrictions last `days` (0: permanent)."""

    score: int
    days: int

    @property
    def permanent(self) -> bool:
        return self.days == 0

    def ends_at(self, start: datetime) -> datetime | None:
        return None if self.permanent else start + timedelta(days=self.days)


def nodes_from(pairs: Iterable[tuple[int, int]]) -> tuple[Node, ...]:
    """The nodes, lightest (highest score) first."""
    return tuple(sorted((Node(int(s), int(d)) for s, d in pairs), key=lambda n: -n.score))


def score_after(before: int, points: int) -> int:
    return max(0, before - max(0, points))


def nodes_crossed(before: int, after: int, nodes: Sequence[Node]) -> list[Node]:
    """The nodes a move from `before` down to `after` reaches, lightest first."""
    return [n for n in nodes if after <= n.score < before]


def heaviest(nodes: Iterable[Node]) -> Node | None:
    """The heaviest node (the lowest score) or None."""
    nodes = list(nodes)
    return min(nodes, key=lambda n: n.score) if nodes else None


@dataclass(frozen=True)
class Start:
    kind: str
    node: Node
    ends_at: datetime | None  # None: permanent


@dataclass(frozen=True)
class DeductionPlan:
    before: int
    after: int
    crossed: tuple[Node, ...]
    node: Node | None  # the one node applied (the heaviest crossed)
    starts: tuple[Start, ...] = ()
    supersedes: tuple[str, ...] = ()  # kinds whose running (lighter) restriction ends
    kept: tuple[str, ...] = ()  # kinds whose running restriction is as heavy or heavier
    reaches_zero: bool = False


def deduction_plan(*, before: int, points: int, nodes: Sequence[Node],
                   running: Mapping[str, int], now: datetime) -> DeductionPlan:
    """What deducting `points` from `before` does. Crossing several nodes applies only the
    heaviest; a node reached while a restriction of the same kind runs applies only the
    heavier of the two: the running one (from a node with the same or a lower score) is
    kept, a lighter one is replaced. `running` maps a kind to the node score of its
    running credit restriction."""
    after = score_after(before, points)
    crossed = nodes_crossed(before, after, nodes)
    node = heaviest(crossed)
    starts, supersedes, kept = [], [], []
    if node is not None:
        for kind in NODE_KINDS:
            current = running.get(kind)
            if current is not None and current <= node.score:
                kept.append(kind)
                continue
            if current is not None:
                supersedes.append(kind)
            starts.append(Start(kind, node, node.ends_at(now)))
    return DeductionPlan(before=before, after=after, crossed=tuple(crossed), node=node,
                         starts=tuple(starts), supersedes=tuple(supersedes), kept=tuple(kept),
                         reaches_zero=after == 0 < before)


def restrictions_no_longer_holding(active: Iterable[tuple[int, int]], score: int) -> list[int]:
    """Of the running credit restrictions `(id, node score)`, those a score restored to
    `score` no longer reaches."""
    return [pk for pk, node_score in active if score > node_score]


def score_year(now: datetime, tz: tzinfo) -> int:
    """The year deductions count in: they reset at 00:00 on 1 January, local time."""
    return now.astimezone(tz).year


def year_start(year: int, tz: tzinfo) -> datetime:
    return datetime.combine(date(year, 1, 1), time.min, tzinfo=tz)


# --- appeal window -----------------------------------------------------------------------------
def natural_days_end(notified_at: datetime, days: int, tz: tzinfo) -> datetime:
    """The end (23:59:59 local) of the `days`-th natural day after the notice."""
    day = notified_at.astimezone(tz).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


# --- violation workflow ------------------------------------------------------------------------
IN_FORCE = "in_force"
APPEALED = "appealed"
UPHELD = "upheld"
REVOKED = "revoked"

VIOLATION_TRANSITIONS: dict[str, frozenset[str]] = {
    IN_FORCE: frozenset({APPEALED, REVOKED}),
    APPEALED: frozenset({UPHELD, REVOKED}),
    UPHELD: frozenset({REVOKED}),  # a re-inspection that passes revokes even a final one
    REVOKED: frozenset(),
}

# --- restriction workflow ----------------------------------------------------------------------
ACTIVE = "active"
ENDED = "ended"          # its clock ran out
LIFTED = "lifted"        # a reviewer or a revoked violation lifted it
SUPERSEDED = "superseded"  # a heavier node of the same kind replaced it

RESTRICTION_TRANSITIONS: dict[str, frozenset[str]] = {
    ACTIVE: frozenset({ENDED, LIFTED, SUPERSEDED}),
    ENDED: frozenset(),
    LIFTED: frozenset(),
    SUPERSEDED: frozenset(),
}


# --- working days (工作日: weekdays, except public holidays, plus adjusted working days) -----
def is_working_day(day: date, *, holidays: frozenset | set, workdays: frozenset | set) -> bool:
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def working_days_end(notified_at: datetime, days: int, tz: tzinfo, *, holidays, workdays
                     ) -> datetime:
    """The end (23:59:59 local) of the `days`-th working day after the notice day."""
    day = notified_at.astimezone(tz).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, holidays=holidays, workdays=workdays):
            counted += 1
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz)


def years_spanned(first: date, last: date) -> list[int]:
    """The calendar years from `first` to `last` (inclusive)."""
    return list(range(first.year, last.year + 1)) if first <= last else []


def add_months(moment: datetime, months: int, tz: tzinfo) -> datetime:
    """The same local time `months` later (held at the month's last day)."""
    local = moment.astimezone(tz)
    month0 = local.month - 1 + months
    year, month = local.year + month0 // 12, month0 % 12 + 1
    for day in (local.day, 30, 29, 28):
        try:
            return local.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


# --- sampling inspections (商品抽查) ---------------------------------------------------------------
S_SELECTED = "selected"
S_SAMPLE_ORDERED = "sample_ordered"
S_AT_LAB = "at_lab"
S_PASSED = "passed"
S_FAILED = "failed"
S_APPEALED = "appealed"
S_FEE_DUE = "fee_due"
S_RETESTING = "retesting"
S_FINAL = "final"      # the failure is final: no appeal, refused, lapsed or re-test failed
S_REVOKED = "revoked"  # the re-test passed: everything revoked and restored

SAMPLING_TRANSITIONS: dict[str, frozenset[str]] = {
    S_SELECTED: frozenset({S_SAMPLE_ORDERED}),
    S_SAMPLE_ORDERED: frozenset({S_AT_LAB}),
    S_AT_LAB: frozenset({S_PASSED, S_FAILED}),
    S_FAILED: frozenset({S_APPEALED, S_FINAL}),
    S_APPEALED: frozenset({S_FEE_DUE, S_FINAL}),
    S_FEE_DUE: frozenset({S_RETESTING, S_FINAL}),
    S_RETESTING: frozenset({S_FINAL, S_REVOKED}),
    S_PASSED: frozenset(),
    S_FINAL: frozenset(),
    S_REVOKED: frozenset(),
}
OPEN_SAMPLING = frozenset({S_SELECTED, S_SAMPLE_ORDERED, S_AT_LAB, S_FAILED, S_APPEALED,
                           S_FEE_DUE, S_RETESTING})
# Why a re-inspection is refused (不予复验).
REFUSALS = ("late", "original_unusable", "expired", "lab_unsupported")
FAILED_ITEMS = ("mandatory_standard", "brand_copyright", "detail_claims")


def draw_weight(*, key_supervision: bool, high_risk: bool, complaints: int,
                weights: Mapping[str, int]) -> int:
    """A product's weight in the sampling draw."""
    weight = weights["base"]
    if key_supervision:
        weight *= weights["key_supervision"]
    if high_risk:
        weight *= weights["high_risk"]
    return weight + weights["complaint"] * max(0, complaints)


# --- market-management measures (市场管理措施) -----------------------------------------------------
M_WARNING = "warning"
M_DELIST_PRODUCT = "delist_product"
M_DELIST_STORE = "delist_store"
M_RESTRICT_PUBLISH = "restrict_publish"
M_RESTRICT_CAMPAIGN = "restrict_campaign"
M_SUSPEND_CART = "suspend_cart"
M_CLOSE_STORE = "close_store"
M_ACCOUNT_BAN_STEP = "account_ban_step"
M_PERMANENT_BAN = "permanent_ban"
M_FREEZE_FUNDS = "freeze_funds"

# What each measure restricts while it runs (delistings act once, through shop).
MEASURE_RESTRICTS: dict[str, tuple[str, ...]] = {
    M_WARNING: (WARNING,),
    M_DELIST_PRODUCT: (),
    M_DELIST_STORE: (),
    M_RESTRICT_PUBLISH: (PUBLISH,),
    M_RESTRICT_CAMPAIGN: (CAMPAIGN,),
    M_SUSPEND_CART: (CART,),
    M_CLOSE_STORE: (PUBLISH, CAMPAIGN, CART),
    M_ACCOUNT_BAN_STEP: (PUBLISH, CAMPAIGN, CART),
    M_PERMANENT_BAN: (PUBLISH, CAMPAIGN, CART),
    M_FREEZE_FUNDS: (FUNDS,),
}
MEASURE_NEEDS_PRODUCT = frozenset({M_DELIST_PRODUCT})
MEASURE_END_FROM_LADDER = frozenset({M_ACCOUNT_BAN_STEP})  # the ban ladder sets the end
MEASURE_NEVER_ENDS = frozenset({M_PERMANENT_BAN})

def ban_step_next(previous: int | None, ladder: Sequence[int]) -> int:
    """The step of a new account ban: one above the merchant's highest step so far, the
    last step of the ladder repeating."""
    if not ladder:
        raise ValueError("the ban ladder is empty")
    return min((previous or 0) + 1, len(ladder))


def ban_step_ends_at(step: int, ladder: Sequence[int], start: datetime) -> datetime | None:
    """When a ban of `step` (1-based) that starts at `start` ends (None: permanent)."""
    days = int(ladder[step - 1])
    return None if days == 0 else start + timedelta(days=days)


MEASURE_TRANSITIONS: dict[str, frozenset[str]] = {
    ACTIVE: frozenset({LIFTED, ENDED}),
    LIFTED: frozenset(),
    ENDED: frozenset(),
}


def measure_problem(kind: str, *, has_product: bool, ends_at: datetime | None,
                    now: datetime) -> str | None:
    """Why a measure cannot be applied as asked (a code), or None."""
    if kind not in MEASURE_RESTRICTS:
        return "unknown_kind"
    if kind in MEASURE_NEEDS_PRODUCT and not has_product:
        return "product_missing"
    if kind in MEASURE_END_FROM_LADDER and ends_at is not None:
        return "end_from_ladder"
    if kind in MEASURE_NEVER_ENDS and ends_at is not None:
        return "end_not_allowed"
    if ends_at is not None and ends_at <= now:
        return "end_in_past"
    return None


# --- the score chart -----------------------------------------------------------------------------
def score_chart(points: Sequence[tuple[datetime, int]], *, top: int, width: int = 600,
                height: int = 160, pad: int = 24) -> dict:
    """Coordinates of a server-rendered SVG step line of the score over time (0 at the
    bottom, `top` at the top); empty when there is nothing to draw."""
    if not points:
        return {}
    times = [p[0].timestamp() for p in points]
    t0, t1 = min(times), max(times)
    span = (t1 - t0) or 1.0
    top = max(top, max(p[1] for p in points), 1)

    def x(t):
        return round(pad + (t - t0) / span * (width - 2 * pad), 1)

    def y(v):
        return round(height - pad - v / top * (height - 2 * pad), 1)

    coords, previous = [], None
    for t, (_at, value) in zip(times, points, strict=True):
        if previous is not None:
            coords.append(f"{x(t)},{y(previous)}")
        coords.append(f"{x(t)},{y(value)}")
        previous = value
    if len(points) == 1:
        coords.append(f"{width - pad},{y(points[0][1])}")
    return {"width": width, "height": height, "points": " ".join(coords), "left": pad,
            "right": width - pad, "top": top, "first_at": points[0][0],
            "last_at": points[-1][0]}
