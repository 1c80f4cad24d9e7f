"""Paid-promotion rules (推广): pure functions and tables, no ORM."""

from decimal import Decimal

from common.money import to_money

PENDING, RUNNING, ENDED, REJECTED, CANCELLED = (
    "pending", "running", "ended", "rejected", "cancelled")

# The one table of allowed moves (common.workflows). An extension keeps a running order
# running (running → running, one event per extension).
PROMOTION_ORDER_TRANSITIONS = {
    PENDING: {RUNNING, REJECTED, CANCELLED},
    RUNNING: {RUNNING, ENDED},
    ENDED: set(),
    REJECTED: set(),
    CANCELLED: set(),
}

FANS_HEADLINE, SHOP_WORK = "fans_headline", "shop_work"
LIVE, VIDEO = "live", "video"

# Targeting choices: age bands and regions (provinces) the delivery system knows.
AGE_BANDS = ("18-23", "24-30", "31-40", "41-50", "50+")
REGIONS = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏",
    "浙江", "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南",
    "重庆", "四川", "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆",
)


def kind_problem(*, subject: str, has_products: bool, kind: str) -> str:
    """"" when the kind fits what is promoted. A short video linked to products is
    promoted as 小店作品推广 (shop_work), and only such a video; everything else (a live
    session, a video without products) as 粉丝头条 (fans_headline)."""
    if subject == VIDEO and has_products:
        return "" if kind == SHOP_WORK else "needs_shop_work"
    return "" if kind == FANS_HEADLINE else "shop_work_needs_products"


def deposit_problem(*, promotes_other_platform: bool, deposit_balance: Decimal,
                    required: Decimal) -> str:
    """Promoting other-platform products needs the promotion deposit (推广保证金) paid up to
    the configured amount: "" when it is, or when nothing other-platform is promoted."""
    if not promotes_other_platform:
        return ""
    return "" if deposit_balance >= required else "deposit_missing"


def duration_choices(raw, fallback=(24,)) -> list[int]:
    """The configured duration choices (hours) as a sorted list of positive whole numbers;
    a setting that is not a list of numbers falls back."""
    values = set()
    for value in raw if isinstance(raw, list | tuple) else ():
        if isinstance(value, bool):
            continue
        try:
            number = int(str(value))
        except (TypeError, ValueError):
            continue
        if number > 0:
            values.add(number)
    return sorted(values) or list(fallback)


def budget_problem(amount: Decimal, *, low: Decimal, high: Decimal) -> str:
    if amount < low:
        return "too_low"
    if amount > high:
        return "too_high"
    return ""


def spend_to_count(reported: Decimal, *, budget: Decimal, spent: Decimal,
                   running: bool) -> Decimal:
    """What of a reported spend an order takes: never more than its budget has left, and
    nothing once it has ended (its unspent budget went back already)."""
    if not running or reported <= 0:
        return Decimal("0.00")
    return max(min(reported, budget - spent), Decimal("0.00"))


def unspent(budget: Decimal, spent: Decimal) -> Decimal:
    return max(budget - spent, Decimal("0.00"))


def cost_per_fan(spent: Decimal, new_fans: int) -> Decimal | None:
    """投放金额 / 粉丝数, to the cent; None when there are no new fans (shown as "—")."""
    if not new_fans:
        return None
    return to_money(Decimal(spent) / Decimal(new_fans))


def cover_click_rate(plays: int, exposures: int) -> Decimal | None:
    """播放量 / 曝光量 as a percentage with two places; None when nothing was shown."""
    if not exposures:
        return None
    return to_money(Decimal(plays) * 100 / Decimal(exposures))
