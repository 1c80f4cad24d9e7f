"""Reads of lightning purchase (闪电购), scoped to who asks: the conditions a store meets
(each with its value), the categories a quick listing may use, a session's lightning
listings, and the sales record (what each listing sold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.money import format_cny, to_money
from compliance.enforcement import rules as enforcement_rules
from compliance.enforcement.selectors import credit_score_of
from compliance.models import Category
from promotions.models import LightningListing, LightningStore, LiveSession
from promotions.rules import lightning as rules
from shop.models import OrderLine, Store
from shop.selectors.deposits import deposits_paid
from shop.selectors.stores import store_abilities


# --- the conditions ---------------------------------------------------------------------
@dataclass(frozen=True)
class Condition:
    code: str
    label: str
    met: bool
    value: str  # the store's value, as the page shows it
    required: str  # what the condition asks for


def lightning_thresholds() -> rules.Thresholds:
    return rules.Thresholds(min_credit_score=config.get("lightning.min_credit_score"),
                            min_days_open=config.get("lightning.min_store_days"))


def lightning_store_facts(store: Store, now: datetime | None = None) -> rules.StoreFacts:
    """The facts the conditions are decided on: the store's status, whether its deposits
    are fully paid (`shop.selectors.deposits.deposits_paid`, the answer campaign sign-ups
    read too), the cart restrictions in force (from the store's abilities: the 信用分 nodes
    and measures read through `restrictions_for`), this year's credit score and the days
    since the store opened. Four queries."""
    now = now or timezone.now()
    abilities = store_abilities(store, now)
    deposits = deposits_paid(store)
    return rules.StoreFacts(
        store_open=store.status == Store.Status.OPEN,
        deposit_paid=deposits.paid,
        deposit_missing=deposits.missing,
        cart_restrictions=tuple(str(m) for m in
                                abilities.restricted.get(enforcement_rules.CART, ())),
        credit_score=credit_score_of(store, now),
        days_open=rules.days_open(store.opened_at, now),
    )


def lightning_conditions(store: Store, now: datetime | None = None) -> list[Condition]:
    """Each condition with its state and the store's value, in the page's order."""
    facts = lightning_store_facts(store, now)
    thresholds = lightning_thresholds()
    met = rules.conditions_met(facts, thresholds)
    return [
        Condition(rules.STORE_OPEN, _("The store is open"), met[rules.STORE_OPEN],
                  store.get_status_display(), _("Open")),
        Condition(rules.DEPOSIT_PAID, _("The deposits are fully paid"), met[rules.DEPOSIT_PAID],
                  _("nothing missing") if met[rules.DEPOSIT_PAID]
                  else _("%(amount)s missing") % {"amount": format_cny(facts.deposit_missing)}
                  if facts.deposit_missing > 0 else _("No store deposit has been paid yet."),
                  _("nothing missing")),
        Condition(rules.CART_NOT_RESTRICTED,
                  _("No restriction of the shopping cart (credit score, measures)"),
                  met[rules.CART_NOT_RESTRICTED],
                  " ".join(facts.cart_restrictions) or _("none"), _("none")),
        Condition(rules.CREDIT_SCORE, _("Credit score"), met[rules.CREDIT_SCORE],
                  str(facts.credit_score),
                  _("at least %(n)s") % {"n": thresholds.min_credit_score}),
        Condition(rules.STORE_AGE, _("Days since the store opened"), met[rules.STORE_AGE],
                  str(facts.days_open), _("at least %(n)s") % {"n": thresholds.min_days_open}),
    ]


def lightning_failing(conditions: list[Condition]) -> list[Condition]:
    return [c for c in conditions if not c.met]


def lightning_switch_of(store: Store) -> LightningStore:
    """The store's switch (an unsaved "off" one when it was never turned on)."""
    return LightningStore.objects.filter(store=store).first() or LightningStore(store=store)


def lightning_is_on(store: Store) -> bool:
    return LightningStore.objects.filter(store=store, status=LightningStore.Status.ON).exists()


# --- categories -------------------------------------------------------------------------
def _chain(nodes: dict, node) -> list:
    chain = [node]
    while chain[0].parent_id is not None and len(chain) < 4:
        parent = nodes.get(chain[0].parent_id)
        if parent is None:
            break
        chain.insert(0, parent)
    return chain


def lightning_category_choices(store: Store) -> list[tuple[str, list[tuple[int, str]]]]:
    """The leaf categories open to a quick listing of this store, grouped by their top
    level: the tree marks them (闪电购 allowed, inherited), and those marked for jadeite-base
    merchants only are offered to industry-belt base stores only. One query."""
    nodes = {c.pk: c for c in Category.objects.only(
        "pk", "parent_id", "name", "code", "level", "sort_order", "status",
        "lightning_purchase", "lightning_base_only", "invitation_only")}
    parents = {c.parent_id for c in nodes.values()}
    groups: dict[int, list] = {}
    for node in sorted(nodes.values(), key=lambda c: (c.sort_order, c.code)):
        if node.pk in parents:
            continue
        chain = _chain(nodes, node)
        if rules.lightning_category_problem(chain, is_leaf=True,
                                            industry_base=store.industry_base):
            continue
        label = " / ".join(c.name for c in chain[1:]) or node.name
        groups.setdefault(chain[0].pk, []).append((node.pk, label))
    roots = sorted((nodes[pk] for pk in groups), key=lambda c: (c.sort_order, c.code))
    return [(root.name, groups[root.pk]) for root in roots]


def lightning_category_problem(store: Store, category: Category) -> str:
    """Why `category` cannot take a quick listing of `store` ("" when it can)."""
    chain = category.ancestors_and_self()
    return rules.lightning_category_problem(
        chain, is_leaf=not category.children.exists(), industry_base=store.industry_base)


# --- listings ---------------------------------------------------------------------------
def lightning_session_for_merchant(user, pk: int) -> LiveSession:
    return LiveSession.objects.for_merchant(user).select_related("store").get(pk=pk)


def lightning_listing_for_merchant(user, pk: int) -> LightningListing:
    return (LightningListing.objects.for_merchant(user)
            .select_related("store", "session", "product").get(pk=pk))


def lightning_listings_of_session(session: LiveSession) -> QuerySet[LightningListing]:
    return (LightningListing.objects.filter(session=session)
            .select_related("product", "category").order_by("-created_at", "-pk"))


def lightning_listings_for_merchant(user) -> QuerySet[LightningListing]:
    """The merchant's lightning listings, newest first (index store, created_at)."""
    return (LightningListing.objects.for_merchant(user)
            .select_related("product", "session", "category").order_by("-created_at", "-pk"))


@dataclass(frozen=True)
class Sold:
    units: int
    amount: Decimal  # paid less refunded


def lightning_sold(listings) -> dict[int, Sold]:
    """What each listing's product sold, {listing pk: Sold}: units of paid orders and the
    amount paid less refunded. One query for the page, whatever its size."""
    by_product = {listing.product_id: listing.pk for listing in listings}
    if not by_product:
        return {}
    rows = (OrderLine.objects.filter(product_id__in=list(by_product),
                                     order__paid_at__isnull=False)
            .values("product_id")
            .annotate(units=Sum("quantity"), paid=Sum("paid_amount"),
                      refunded=Sum("refunded_amount"))
            .order_by())
    sold = {pk: Sold(0, Decimal("0.00")) for pk in by_product.values()}
    for row in rows:
        sold[by_product[row["product_id"]]] = Sold(
            row["units"] or 0, to_money((row["paid"] or 0) - (row["refunded"] or 0)))
    return sold


# --- reviewers --------------------------------------------------------------------------
def lightning_spot_check_queue() -> QuerySet[LightningListing]:
    """Lightning listings nobody has spot-checked yet, still on sale."""
    return LightningListing.objects.filter(Q(spot_checked_at__isnull=True),
                                           status=LightningListing.Status.ACTIVE)
