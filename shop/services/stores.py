"""A store's status: the one writer of its moves (see `shop.rules.stores`).

The store is created open when its application is approved (`shop.services.onboarding`);
every later change of its status (closing while a closure application covers its last
deposits, open again, closed) goes through `store_transition`, which appends a StoreEvent."""

from datetime import datetime

from django.utils import timezone

from common.workflows import transition_apply
from shop.models import Store, StoreEvent
from shop.rules.stores import STORE_TRANSITIONS


def store_lock(store: Store) -> Store:
    """The store row, locked for the rest of the caller's transaction."""
    return Store.objects.select_for_update().get(pk=store.pk)


def store_transition(*, store: Store, to: str, actor, reason: str = "",
                     now: datetime | None = None, data: dict | None = None) -> Store:
    """Move a locked store (see `store_lock`) to `to`, inside the caller's transaction.
    An illegal move raises ApplicationError (code ``bad_state``) and writes nothing."""
    transition_apply(store, table=STORE_TRANSITIONS, to=to, actor=actor, reason=reason,
                     now=now or timezone.now(), event_model=StoreEvent, event_fk="store",
                     data=data)
    return store
