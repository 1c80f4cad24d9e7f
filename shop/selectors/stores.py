"""What a store may do. Other apps ask here and never recompute it."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.money import format_cny
from compliance.enforcement import rules as enforcement_rules
from compliance.enforcement.models import Restriction
from compliance.enforcement.selectors import restriction_message, restrictions_for
from shop.models import (
    CategoryInvitation,
    ClosureApplication,
    DepositAccount,
    RejectionReasonTemplate,
    Store,
    StoreProfileChange,
)

# A closure application not decided for good (the same as shop.selectors.deposits).
_OPEN_CLOSURE = (ClosureApplication.Status.PENDING, ClosureApplication.Status.REFUNDING)


@dataclass(frozen=True)
class StoreAbilities:
    may_sell: bool
    may_list: bool
    may_withdraw: bool
    reasons: list = field(default_factory=list)
    # Finer answers for the two kinds of products: own products (store deposit) and
    # other-platform products (promotion deposit). A refunded deposit closes its kind.
    may_list_own: bool = True
    may_list_other_platform: bool = True
    # The stored deposit shortfall: {kind: amount missing} for restricted deposits.
    shortfall: dict = field(default_factory=dict)
    may_sign_up_campaigns: bool = True
    # Compliance restrictions in force (credit-score nodes, measures): {kind: [why and
    # until when, …]} with the kinds of compliance.enforcement.rules.
    restricted: dict = field(default_factory=dict)


def _restriction_reason(account: DepositAccount):
    return _(
        "The %(deposit)s is short by %(missing)s (required %(required)s, balance "
        "%(balance)s): the shopping cart, product listing and withdrawals are closed until "
        "the difference is paid."
    ) % {
        "deposit": account.get_kind_display(), "missing": format_cny(account.shortfall),
        "required": format_cny(account.required_amount), "balance": format_cny(account.balance),
    }


def _closing(kind_field: str):
    return Exists(ClosureApplication.objects.filter(
        store=OuterRef("store_id"), status__in=_OPEN_CLOSURE, **{kind_field: True}))


def store_abilities(store: Store, now=None) -> StoreAbilities:
    """A store sells and lists only while open and while no deposit is short (保证金不足:
    cart, listing and withdrawals closed until the difference is paid); a closed store may
    still withdraw what is left on its account. A deposit refunded on exit closes its kind
    of product, and so does an application to refund it from the day it is made: during the
    30-day closure notice a store that asked for its store deposit back takes no orders and
    lists no own products (it may stay open for other-platform products). Compliance
    restrictions in force (信用分 nodes and market-management measures, read through
    `restrictions_for`) close publishing, campaign sign-ups, the cart and ordering, or
    withdrawals, each with why and until when. Two queries (the deposit accounts, as the
    deposit services last stored them, with the open closure; the restrictions)."""
    reasons = []
    open_ = store.status == Store.Status.OPEN
    if not open_:
        reasons.append(_("The store is not open."))
    shortfall = {}
    own_closed = other_closed = False
    accounts = (DepositAccount.objects.filter(store=store).order_by("pk")
                .annotate(closing_store=_closing("refund_store_deposit"),
                          closing_promotion=_closing("refund_promotion_deposit")))
    for account in accounts:
        closing = (account.closing_store if account.kind == DepositAccount.Kind.STORE
                   else account.closing_promotion)
        if account.closed_at is None and closing:
            if account.kind == DepositAccount.Kind.STORE:
                own_closed = True
                reasons.append(_("You applied to close the store and have the store deposit "
                                 "refunded: own products are no longer sold or listed."))
            else:
                other_closed = True
                reasons.append(_("You applied to have the promotion deposit refunded: "
                                 "other-platform products are no longer listed."))
        if account.closed_at is not None:
            if account.kind == DepositAccount.Kind.STORE:
                own_closed = True
                reasons.append(_("The store deposit was refunded: own-product selling is closed."))
            else:
                other_closed = True
                reasons.append(_("The promotion deposit was refunded: other-platform products are closed."))
        elif account.restricted_since is not None:
            shortfall[account.kind] = account.shortfall
            reasons.append(_restriction_reason(account))
    restricted: dict = {}
    for restriction in restrictions_for(store, None, now or timezone.now()):
        message = restriction_message(restriction)
        restricted.setdefault(restriction.kind, []).append(message)
        reasons.append(message)
    publish_ok = enforcement_rules.PUBLISH not in restricted
    ok = open_ and not shortfall
    may_list_own = ok and not own_closed and publish_ok
    may_list_other = ok and not other_closed and publish_ok
    return StoreAbilities(
        may_sell=ok and not own_closed and enforcement_rules.CART not in restricted,
        may_list=may_list_own or may_list_other,
        may_withdraw=not shortfall and enforcement_rules.FUNDS not in restricted,
        may_sign_up_campaigns=open_ and enforcement_rules.CAMPAIGN not in restricted,
        restricted=restricted,
        reasons=reasons,
        may_list_own=may_list_own,
        may_list_other_platform=may_list_other,
        shortfall=shortfall,
    )


def store_may_sell(store: Store) -> bool:
    return store_abilities(store).may_sell


def store_orders_blocked(store_ref, now) -> Q:
    """The condition "this store may not take orders now" for a reason other than its
    status, for a query that names the store (`store_ref`: an OuterRef to its id): a deposit
    short (an account not closed with `restricted_since` set), the store deposit refunded or
    asked back by an open closure application, or a cart restriction in force. Served by
    the `(store, kind)` index of the deposit accounts and the `(store, kind, status)` index
    of the restrictions."""
    blocking_deposit = DepositAccount.objects.filter(store=store_ref).filter(
        Q(closed_at__isnull=True, restricted_since__isnull=False)
        | Q(kind=DepositAccount.Kind.STORE, closed_at__isnull=False)
        | Q(Exists(ClosureApplication.objects.filter(
            store=OuterRef("store_id"), status__in=_OPEN_CLOSURE, refund_store_deposit=True)),
            kind=DepositAccount.Kind.STORE, closed_at__isnull=True))
    cart_restricted = Restriction.objects.filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=now), store=store_ref,
        kind=enforcement_rules.CART, status=Restriction.Status.ACTIVE, starts_at__lte=now)
    return Q(Exists(blocking_deposit)) | Q(Exists(cart_restricted))


def store_may_take_orders_now(store: Store, now=None) -> bool:
    """The order path's question: `store_abilities(store).may_sell` without the why, in one
    indexed read. A store read with `orders_blocked` (`store_orders_blocked` annotated on
    the query that loaded it, e.g. the order's SKUs) is answered from that, without one."""
    if store.status != Store.Status.OPEN:
        return False
    blocked = getattr(store, "orders_blocked", None)
    if blocked is None:
        blocked = Store.objects.filter(
            store_orders_blocked(OuterRef("pk"), now or timezone.now()), pk=store.pk).exists()
    return not blocked


def store_may_list(store: Store) -> bool:
    return store_abilities(store).may_list


def store_may_list_kind(store: Store, kind: str) -> bool:
    """May the store list a product of this kind ("own" or "other_platform")?"""
    abilities = store_abilities(store)
    return abilities.may_list_own if kind == "own" else abilities.may_list_other_platform


def store_may_sign_up_campaigns(store: Store) -> bool:
    """May the store sign products up for platform campaigns (营销活动提报)?"""
    return store_abilities(store).may_sign_up_campaigns


def store_restriction_messages(store: Store, kind: str) -> list:
    """Why, and until when, the store is restricted from `kind` (empty: it is not)."""
    return store_abilities(store).restricted.get(kind, [])


def store_may_withdraw(store: Store) -> bool:
    return store_abilities(store).may_withdraw


def store_for_merchant(user) -> Store | None:
    return Store.objects.for_merchant(user).select_related("application").first()


def store_profile_changes(store: Store):
    """(the change waiting for review or None, the latest rejected change when nothing is
    waiting or None): what the store settings page tells the merchant."""
    pending = store.profile_changes.filter(status=StoreProfileChange.Status.PENDING).first()
    rejected = None
    if pending is None:
        latest = store.profile_changes.exclude(
            status=StoreProfileChange.Status.PENDING).order_by("-decided_at", "-pk").first()
        if latest is not None and latest.status == StoreProfileChange.Status.REJECTED:
            rejected = latest
    return pending, rejected


def store_invited_category_ids(store: Store) -> frozenset:
    """The invitation-only categories the store may list in: those it is invited into, as
    long as it is an industry-belt base store."""
    if not store.industry_base:
        return frozenset()
    return frozenset(CategoryInvitation.objects.filter(
        store=store, status=CategoryInvitation.Status.INVITED).values_list("category_id", flat=True))


def reason_templates_used(reason: str, templates) -> list:
    """The reviewer's reason templates a rejection was written from: those whose text is part
    of the reason (a reason is the templates' texts and the reviewer's words, joined)."""
    reason = reason or ""
    return [template for template in templates if template.text and template.text in reason]


def reason_templates(scope: str) -> list:
    return list(RejectionReasonTemplate.objects.filter(scope=scope).only("pk", "text", "scope"))
