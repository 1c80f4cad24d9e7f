"""What a store may do. Other apps ask here and never recompute it."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from shop.models import Store


@dataclass(frozen=True)
class StoreAbilities:
    may_sell: bool
    may_list: bool
    may_withdraw: bool
    reasons: list = field(default_factory=list)


def store_abilities(store: Store) -> StoreAbilities:
    """A store sells, lists and withdraws only while open. Deposit shortfalls add their
    restrictions here as well (see the deposits module when it lands)."""
    reasons = []
    if store.status != Store.Status.OPEN:
        reasons.append(_("The store is not open."))
    ok = not reasons
    return StoreAbilities(may_sell=ok, may_list=ok, may_withdraw=ok, reasons=reasons)


def store_may_sell(store: Store) -> bool:
    return store_abilities(store).may_sell


def store_may_list(store: Store) -> bool:
    return store_abilities(store).may_list


def store_may_withdraw(store: Store) -> bool:
    return store_abilities(store).may_withdraw


def store_for_merchant(user) -> Store | None:
    return Store.objects.for_merchant(user).select_related("application").first()
