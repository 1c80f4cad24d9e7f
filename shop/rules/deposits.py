"""Pure rules of deposits (保证金), the store account (货款) and closure (关店). No ORM:
the amounts come in as arguments (read from configuration by the caller).

Required amount of a deposit = the largest of
  - the base amount of its type (500 each),
  - for the store deposit, the highest special amount over the store's categories
    (jade and gems table; an industry-belt base store pays that table's base price;
    invitation-only categories count only for base stores),
  - the tier of last natural month's sales.
The promotion deposit is required only while the store promotes other-platform products.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from common.money import ZERO, to_money

STORE = "store"
PROMOTION = "promotion"
DEPOSIT_KINDS = (STORE, PROMOTION)


@dataclass(frozen=True)
class CategoryDeposit:
    """A category's special deposit, as the compliance tree sets it."""

    name: str
    standard: Decimal | None
    industry_base: Decimal | None
    invitation_only: bool = False


@dataclass(frozen=True)
class SalesTier:
    min_sales: Decimal
    store: Decimal
    promotion: Decimal

    def amount(self, kind: str) -> Decimal:
        return self.store if kind == STORE else self.promotion


@dataclass(frozen=True)
class DepositTable:
    base_store: Decimal
    base_promotion: Decimal
    tiers: tuple[SalesTier, ...] = ()

    def base(self, kind: str) -> Decimal:
        return self.base_store if kind == STORE else self.base_promotion


@dataclass(frozen=True)
class Requirement:
    kind: str
    amount: Decimal
    lines: tuple[dict, ...]


def category_amount(category: CategoryDeposit, *, industry_base: bool) -> Decimal | None:
    """The special amount a category asks of a store, or None (base amount applies).
    Inside an industry-belt base the base column applies where it is set; an
    invitation-only category (rough jadeite) is open to base stores only, so it asks
    nothing of the others."""
    if industry_base:
        if category.industry_base is not None:
            return category.industry_base
        return category.standard
    if category.invitation_only:
        return None
    return category.standard


def sales_tier(sales: Decimal | None, tiers) -> SalesTier | None:
    """The highest tier whose minimum the sales reach (None below every tier)."""
    if sales is None:
        return None
    reached = [t for t in tiers if sales >= t.min_sales]
    return max(reached, key=lambda t: t.min_sales) if reached else None


def deposit_requirement(
    kind: str, *, table: DepositTable, categories=(), industry_base: bool = False,
    sales: Decimal | None = None, sales_month: date | None = None, applies: bool = True,
) -> Requirement:
    """How much a deposit must hold, and why, line by line. Each line is a dict with a
    `code` (base / category / sales_tier / sales_below_tiers / not_required), its
    `amount` as a string and the facts it rests on; the line that sets the amount is
    marked `decisive`."""
    if not applies:
        line = {"code": "not_required", "amount": str(ZERO), "decisive": True}
        return Requirement(kind, ZERO, (line,))
    lines = [{"code": "base", "amount": str(to_money(table.base(kind)))}]
    if kind == STORE:
        best = None
        for category in categories:
            amount = category_amount(category, industry_base=industry_base)
            if amount is not None and (best is None or amount > best[1]):
                best = (category, amount)
        if best is not None:
            lines.append({
                "code": "category", "category": best[0].name, "industry_base": industry_base,
                "amount": str(to_money(best[1])),
            })
    if sales is not None:
        month = sales_month.strftime("%Y-%m") if sales_month else ""
        tier = sales_tier(sales, table.tiers)
        if tier is None:
            lines.append({"code": "sales_below_tiers", "sales": str(to_money(sales)),
                          "month": month, "amount": str(to_money(table.base(kind)))})
        else:
            lines.append({"code": "sales_tier", "sales": str(to_money(sales)), "month": month,
                          "min_sales": str(to_money(tier.min_sales)),
                          "amount": str(to_money(tier.amount(kind)))})
    amounts = [Decimal(line["amount"]) for line in lines]
    required = max(amounts)
    lines[amounts.index(required)]["decisive"] = True
    return Requirement(kind, to_money(required), tuple(lines))


@dataclass(frozen=True)
class RuleConsidered:
    """One rule weighed for a deposit's required amount. `amount` is what the rule asks
    for, or None when it asks nothing of this store (a category without a special amount,
    an invitation-only category outside a base, no sales figure yet); `why` says which:
    standard / industry_base / no_special / invitation_only / tier / below_tiers /
    no_sales / base."""

    code: str  # base / category / sales
    amount: Decimal | None
    why: str
    facts: dict
    decisive: bool = False


@dataclass(frozen=True)
class Explanation:
    kind: str
    amount: Decimal
    rules: tuple[RuleConsidered, ...]
    winner: RuleConsidered | None
    tied: tuple[RuleConsidered, ...] = ()  # other rules asking for the winner's amount
    applies: bool = True


def requirement_explained(
    kind: str, *, table: DepositTable, categories=(), industry_base: bool = False,
    sales: Decimal | None = None, sales_month: date | None = None, applies: bool = True,
) -> Explanation:
    """Every rule considered for a deposit, each with what it asks for: the base amount,
    each of the store's categories (store deposit), last month's sales and the tier they
    fall in. The required amount is the largest; the first rule asking for it wins (the
    base before a category before the sales tier), the others asking the same are `tied`.
    The amount equals `deposit_requirement`'s for the same arguments; the deposit page's
    explanation and its what-if both come from here."""
    if not applies:
        return Explanation(kind, ZERO, (), None, applies=False)
    considered = [RuleConsidered("base", to_money(table.base(kind)), "base", {})]
    if kind == STORE:
        for category in sorted(categories, key=lambda c: c.name):
            amount = category_amount(category, industry_base=industry_base)
            if amount is not None:
                why = ("industry_base" if industry_base and category.industry_base is not None
                       else "standard")
                amount = to_money(amount)
            elif category.invitation_only and not industry_base:
                why = "invitation_only"
            else:
                why = "no_special"
            considered.append(RuleConsidered("category", amount, why, {"category": category.name}))
    month = sales_month.strftime("%Y-%m") if sales_month else ""
    if sales is None:
        considered.append(RuleConsidered("sales", None, "no_sales", {"month": month}))
    else:
        tier = sales_tier(sales, table.tiers)
        facts = {"month": month, "sales": to_money(sales),
                 "tiers": tuple((to_money(t.min_sales), to_money(t.amount(kind)))
                                for t in sorted(table.tiers, key=lambda t: t.min_sales))}
        if tier is None:
            considered.append(RuleConsidered("sales", None, "below_tiers", facts))
        else:
            considered.append(RuleConsidered(
                "sales", to_money(tier.amount(kind)), "tier",
                {**facts, "min_sales": to_money(tier.min_sales)}))
    required = max(r.amount for r in considered if r.amount is not None)
    index = next(i for i, r in enumerate(considered) if r.amount == required)
    winner = RuleConsidered(**{**considered[index].__dict__, "decisive": True})
    considered[index] = winner
    tied = tuple(r for i, r in enumerate(considered) if i != index and r.amount == required)
    return Explanation(kind, to_money(required), tuple(considered), winner, tied)


def shortfall(required: Decimal, balance: Decimal) -> Decimal:
    return max(ZERO, to_money(required - balance))


def deposits_fully_paid(accounts: dict) -> bool:
    """"Deposit paid" (保证金已缴足), the one answer every feature that requires it reads:
    the store holds an open store deposit, and every open deposit is paid up (no stored
    shortfall, balance ≥ requirement — also during the grace period before a shortfall
    restricts). `accounts` as `shop.selectors.deposits.deposit_shortfall` gives them
    ({kind: {"required", "balance", "shortfall", "closed", …}})."""
    store = accounts.get("store")
    if store is None or store["closed"]:
        return False
    return deposits_missing(accounts) <= 0


def deposits_missing(accounts: dict) -> Decimal:
    """What the open deposits lack in all: per account the larger of the stored shortfall
    and what the balance lacks of the requirement."""
    total = ZERO
    for account in accounts.values():
        if account["closed"]:
            continue
        total += max(account["shortfall"], account["required"] - account["balance"], ZERO)
    return total


def deduction_split(requested: Decimal, balance: Decimal, max_negative: Decimal):
    """(deducted, uncovered): a deduction takes what it asks for, but the deposit may go
    below zero by at most `max_negative`; the rest is left uncovered."""
    room = max(ZERO, balance + max_negative)
    deducted = min(requested, room)
    return to_money(deducted), to_money(requested - deducted)


def transfer_amount(missing: Decimal, available: Decimal) -> Decimal:
    """What moves from the store account to cover a shortfall: never more than is
    available, never more than is missing."""
    return to_money(max(ZERO, min(missing, available)))


def service_fee(amount: Decimal, rate: Decimal) -> Decimal:
    """Technical service fee (技术服务费) on an amount."""
    return to_money(amount * rate)


def refund_debit(refund: Decimal, settled_gross: Decimal, settled_fee: Decimal) -> Decimal:
    """What a refund after settlement takes back from the store account: the refund less
    the share of the service fee that was charged on it (the platform gives that back)."""
    if settled_gross <= 0:
        return to_money(refund)
    return to_money(refund - to_money(refund * settled_fee / settled_gross))


# --- months in the platform time zone-----------------------------------------------------------
def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(day: date) -> date:
    """The first day of the natural month before the one `day` is in."""
    return month_start(month_start(day) - timedelta(days=1))


def next_month(month: date) -> date:
    return month_start(month_start(month) + timedelta(days=32))


def month_bounds(month: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """[start, end) of a natural month in the given time zone."""
    start = datetime.combine(month_start(month), time.min, tzinfo=tz)
    end = datetime.combine(next_month(month), time.min, tzinfo=tz)
    return start, end


def next_monthly_run(now: datetime, tz: tzinfo, *, day: int = 1, at: time = time(0, 5)) -> datetime:
    """The next start-of-month moment (`day` at `at`, local time) strictly after `now`."""
    local = now.astimezone(tz)
    candidate = datetime.combine(local.date().replace(day=day), at, tzinfo=tz)
    if candidate <= local:
        candidate = datetime.combine(next_month(local.date()).replace(day=day), at, tzinfo=tz)
    return candidate


# --- workflows -------------------------------------------------------------------------------
# The only moves of each workflow's status; each has one writer in the services, which
# checks its table through `common.workflows.transition_apply` and writes the event row.
# A status absent from the keys' values is entered only when the row is created.

# Withdrawal (`shop.services.accounts.withdrawal_transition`): a reviewer (or the automatic
# payout under the configured amount) pays it out, the provider answers at once (paid,
# failed) or later (paying, then paid or failed); or a reviewer rejects it.
WITHDRAWAL_TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"paying", "paid", "failed", "rejected"}),
    "paying": frozenset({"paid", "failed"}),
    "paid": frozenset(),
    "rejected": frozenset(),
    "failed": frozenset(),
}

# Closure application (`shop.services.closure.closure_application_transition`): approved
# once every chosen deposit is refunded, refunding while a refund payout is pending, back
# under review when a pending payout failed; rejected by a reviewer, withdrawn by the
# merchant. A failed payout on approval leaves it pending (a timeline note, not a move).
CLOSURE_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"refunding", "approved", "rejected", "withdrawn"}),
    "refunding": frozenset({"approved", "pending"}),
    "approved": frozenset(),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
}

# Deposit pay-in (`shop.services.deposits.deposit_payin_transition`): the provider's answer.
# Money reported failed may still arrive (then it is credited, or sent back when the
# deposit was closed meanwhile).
PAYIN_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"succeeded", "failed", "refunded"}),
    "failed": frozenset({"succeeded", "refunded"}),
    "succeeded": frozenset(),
    "refunded": frozenset(),
}

# Category invitation (`shop.services.invitations.category_invitation_transition`): a
# reviewer invites a base store into an invitation-only category and may withdraw it;
# inviting again makes a new invitation.
INVITATION_TRANSITIONS: dict[str, frozenset[str]] = {
    "invited": frozenset({"withdrawn"}),
    "withdrawn": frozenset(),
}


# --- closure checklist --------------------------------------------------------------------
OK = "ok"
BLOCKED = "blocked"
UNKNOWN = "unknown"  # the system cannot check it (its check is missing): approval waits


def closure_may_apply(states) -> bool:
    """A merchant may apply while nothing the system checked blocks, except the notice,
    which the application itself starts."""
    return all(s != BLOCKED for code, s in states if code != "notice")


def closure_may_approve(states) -> bool:
    states = [s for _code, s in states]
    return BLOCKED not in states and UNKNOWN not in states


# --- chart ------------------------------------------------------------------------------------
def balance_chart(points, *, width: int = 600, height: int = 160, pad: int = 24) -> dict:
    """Coordinates for a server-rendered SVG step line of a balance over time.
    `points` are (datetime, Decimal) in time order. Returns the polyline points string,
    the y of zero, and axis labels; empty when there is nothing to draw."""
    if not points:
        return {}
    times = [p[0].timestamp() for p in points]
    values = [float(p[1]) for p in points]  # drawing only: coordinates, not money
    t0, t1 = min(times), max(times)
    lo, hi = min(values + [0.0]), max(values + [0.0])
    if hi == lo:
        hi = lo + 1.0
    span = (t1 - t0) or 1.0

    def x(t):
        return round(pad + (t - t0) / span * (width - 2 * pad), 1)

    def y(v):
        return round(height - pad - (v - lo) / (hi - lo) * (height - 2 * pad), 1)

    coords = []
    previous = None
    for t, v in zip(times, values, strict=True):
        if previous is not None:
            coords.append(f"{x(t)},{y(previous)}")
        coords.append(f"{x(t)},{y(v)}")
        previous = v
    if len(points) == 1:
        coords.append(f"{width - pad},{y(values[0])}")
    return {
        "width": width, "height": height, "points": " ".join(coords), "zero_y": y(0.0),
        "left": pad, "right": width - pad, "max": points and max(p[1] for p in points),
        "min": min(p[1] for p in points), "first_at": points[0][0], "last_at": points[-1][0],
    }
