"""What a store may do. Other apps ask here and never recompute it."""

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from common.money import format_cny
from shop.models import ClosureApplication, DepositAccount, Store

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


def store_abilities(store: Store) -> StoreAbilities:
    """A store sells and lists only while open and while no deposit is short (保证金不足:
    cart, listing and withdrawals closed until the difference is paid); a closed store may
    still withdraw what is left on its account. A deposit refunded on exit closes its kind
    of product, and so does an application to refund it from the day it is made: during the
    30-day closure notice a store that asked for its store deposit back takes no orders and
    lists no own products (it may stay open for other-platform products). One query (the
    deposit accounts, as the deposit services last stored them, and the open closure)."""
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
    ok = open_ and not shortfall
    may_list_own = ok and not own_closed
    may_list_other = ok and not other_closed
    return StoreAbilities(
        may_sell=ok and not own_closed,
        may_list=may_list_own or may_list_other,
        may_withdraw=not shortfall,
        reasons=reasons,
        may_list_own=may_list_own,
        may_list_other_platform=may_list_other,
        shortfall=shortfall,
    )


def store_may_sell(store: Store) -> bool:
    return store_abilities(store).may_sell


def store_may_list(store: Store) -> bool:
    return store_abilities(store).may_list


def store_may_list_kind(store: Store, kind: str) -> bool:
    """May the store list a product of this kind ("own" or "other_platform")?"""
    abilities = store_abilities(store)
    return abilities.may_list_own if kind == "own" else abilities.may_list_other_platform


def store_may_withdraw(store: Store) -> bool:
    return store_abilities(store).may_withdraw


def store_for_merchant(user) -> Store | None:
    return Store.objects.for_merchant(user).select_related("application").first()
