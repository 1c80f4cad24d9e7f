"""Platform-campaign rules: pure functions and tables, no ORM."""

from decimal import Decimal

from common.money import to_money

SCHEDULED, RUNNING, ENDED, CANCELLED = "scheduled", "running", "ended", "cancelled"
PENDING, ACCEPTED, REJECTED, WITHDRAWN, EXPIRED = (
    "pending", "accepted", "rejected", "withdrawn", "expired")

# The one table of allowed moves of a campaign (common.workflows).
CAMPAIGN_TRANSITIONS = {
    SCHEDULED: {RUNNING, CANCELLED},
    RUNNING: {ENDED},
    ENDED: set(),
    CANCELLED: set(),
}

# ... and of a sign-up. An accepted product may be withdrawn only before the campaign
# starts (the service checks the campaign's status); a sign-up still waiting when the
# campaign ends or is cancelled expires.
ENTRY_TRANSITIONS = {
    PENDING: {ACCEPTED, REJECTED, WITHDRAWN, EXPIRED},
    ACCEPTED: {WITHDRAWN},
    REJECTED: set(),
    WITHDRAWN: set(),
    EXPIRED: set(),
}

# Statuses in which a sign-up holds its product in the campaign.
LIVE_ENTRY = (PENDING, ACCEPTED)
# Campaign statuses in which reviewers still decide sign-ups.
DECIDING = (SCHEDULED, RUNNING)

# The requirements a sign-up is checked against, in the order they are reported.
REQUIREMENTS = ("store_open", "category", "min_dsr", "discount", "campaign_restriction",
                "deposit")


def price_problem(campaign_price: Decimal, regular_price: Decimal,
                  max_percent: int | None) -> str:
    """"" when the campaign price is allowed: above zero, below the regular price and, when
    the campaign sets one, at most `max_percent` % of the regular price."""
    if campaign_price <= 0:
        return "not_positive"
    if campaign_price >= regular_price:
        return "not_below_regular"
    if max_percent is not None and campaign_price * 100 > regular_price * max_percent:
        return "discount_too_small"
    return ""


def highest_allowed_price(regular_price: Decimal, max_percent: int | None) -> Decimal | None:
    """The highest campaign price the discount requirement allows (None: no requirement),
    rounded down to the cent so that it passes `price_problem`."""
    if max_percent is None:
        return None
    cents = (regular_price * 100 * max_percent) // 100  # whole cents, rounded down
    return to_money(Decimal(cents) / 100)


def dsr_shortfalls(dsr: dict, minimum: Decimal | None, dimensions, min_ratings: int) -> list:
    """The DSR dimensions below `minimum` ([] when met). A store with fewer ratings than
    `min_ratings` in the window has no DSR to meet it with: every dimension falls short."""
    if minimum is None:
        return []
    if (dsr.get("count") or 0) < min_ratings:
        return list(dimensions)
    return [name for name in dimensions if dsr.get(name) is None or dsr[name] < minimum]


def category_eligible(chain_ids, eligible_ids) -> bool:
    """A product's category (with its ancestors, `chain_ids`) is eligible when the campaign
    names no categories, or names it or one of its ancestors."""
    eligible = set(eligible_ids)
    return not eligible or bool(eligible & set(chain_ids))


def price_with_campaign(current_unit_price: Decimal, campaign_price: Decimal) -> Decimal | None:
    """How a campaign price combines with whatever already priced the line (the regular
    price, or a flash sale's price): the lower wins. None when the campaign's is not lower
    (the line keeps its price, and the campaign is not recorded on it)."""
    if campaign_price < current_unit_price:
        return campaign_price
    return None
