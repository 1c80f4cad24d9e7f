"""Lightning purchase (闪电购), pure: the switch's and a listing's transition tables, the
conditions a store must meet to turn it on, and which categories it may list in."""

from __future__ import annotations

from dataclasses import dataclass

LIGHTNING_STORE_TRANSITIONS = {
    "off": {"on"},
    "on": {"off"},
}

LIGHTNING_LISTING_TRANSITIONS = {
    "active": {"ended", "taken_down"},
    "ended": set(),
    "taken_down": set(),
}

# The conditions, in the order the merchant's page lists them.
STORE_OPEN = "store_open"
DEPOSIT_PAID = "deposit_paid"
CART_NOT_RESTRICTED = "cart_not_restricted"
CREDIT_SCORE = "credit_score"
STORE_AGE = "store_age"
CONDITIONS = (STORE_OPEN, DEPOSIT_PAID, CART_NOT_RESTRICTED, CREDIT_SCORE, STORE_AGE)


@dataclass(frozen=True)
class StoreFacts:
    """What the conditions are decided on, read by the selectors."""

    store_open: bool
    deposit_paid: bool  # shop.selectors.deposits.deposits_paid
    deposit_missing: object  # Decimal: what the deposits lack in all
    cart_restrictions: tuple  # why the cart is restricted now (empty: it is not)
    credit_score: int
    days_open: int


@dataclass(frozen=True)
class Thresholds:
    min_credit_score: int
    min_days_open: int


def conditions_met(facts: StoreFacts, thresholds: Thresholds) -> dict[str, bool]:
    """{condition: met} for every condition, in CONDITIONS order."""
    return {
        STORE_OPEN: facts.store_open,
        DEPOSIT_PAID: facts.deposit_paid,
        CART_NOT_RESTRICTED: not facts.cart_restrictions,
        CREDIT_SCORE: facts.credit_score >= thresholds.min_credit_score,
        STORE_AGE: facts.days_open >= thresholds.min_days_open,
    }


def days_open(opened_at, now) -> int:
    """Whole days since the store opened (0 on its first day; never negative)."""
    return max(0, (now - opened_at).days)


# --- categories -------------------------------------------------------------------------
CATEGORY_OK = ""
CATEGORY_NOT_LEAF = "not_leaf"
CATEGORY_NOT_OPEN = "not_open"
CATEGORY_NOT_LIGHTNING = "not_lightning"
CATEGORY_BASE_ONLY = "base_only"


def lightning_category_problem(chain, *, is_leaf: bool, industry_base: bool) -> str:
    """Why a category (its chain of nodes, root first) cannot take a lightning listing of a
    store ("" when it can). Nodes need: status, lightning_purchase, lightning_base_only,
    invitation_only. The flags inherit as in the category tree: a blank status or
    lightning flag takes the nearest ancestor's (the root default: open, not allowed);
    `lightning_base_only` on any ancestor applies below it (仅翡翠基地用户). An
    invitation-only category (rough jadeite) is never open to a quick listing."""
    if not is_leaf:
        return CATEGORY_NOT_LEAF
    status, lightning, base_only, invitation = "open", False, False, False
    for node in chain:
        if node.status:
            status = node.status
        if node.lightning_purchase is not None:
            lightning = node.lightning_purchase
        base_only = base_only or bool(node.lightning_base_only)
        invitation = invitation or bool(node.invitation_only)
    if status != "open" or invitation:
        return CATEGORY_NOT_OPEN
    if not lightning:
        return CATEGORY_NOT_LIGHTNING
    if base_only and not industry_base:
        return CATEGORY_BASE_ONLY
    return CATEGORY_OK
