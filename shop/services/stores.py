"""A store's status: the one writer of its moves (see `shop.rules.stores`).

The store is created open when its application is approved (`shop.services.onboarding`);
every later change of its status (closing while a closure application covers its last
deposits, open again, closed) goes through `store_transition`, which appends a StoreEvent."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.reasons import reason_fields
from common.workflows import transition_apply
from compliance.services import store_profile_screen
from shop.models import Store, StoreEvent, StoreProfileChange, StoreProfileChangeEvent
from shop.platform_links import parse_profile_link
from shop.reasons import R
from shop.rules.stores import (
    STORE_PROFILE_CHANGE_TRANSITIONS,
    STORE_TRANSITIONS,
    store_profile_needs_review,
)

# Statuses in which a store keeps its name to itself (see the model's constraint).
NAMED_STATUSES = (Store.Status.OPEN, Store.Status.CLOSING)


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


# --- the store's public profile ------------------------------------------------------------
def store_name_taken(name: str, *, store: Store | None = None) -> bool:
    """Whether a store other than `store` that has not closed uses `name` (any case)."""
    others = Store.objects.filter(name__iexact=name, status__in=NAMED_STATUSES)
    if store is not None:
        others = others.exclude(pk=store.pk)
    return others.exists()


def store_name_taken_error(name: str) -> ApplicationError:
    return ApplicationError(
        _("The store name “%(name)s” is already used by another store; choose another.")
        % {"name": name},
        code="name_taken", field="name",
    )


def store_profile_change_transition(change: StoreProfileChange, to: str, *, actor, reason="",
                                    now: datetime, fields: dict | None = None):
    """Move a locked profile change to `to`, inside the caller's transaction; appends a
    StoreProfileChangeEvent."""
    return transition_apply(change, table=STORE_PROFILE_CHANGE_TRANSITIONS, to=to, actor=actor,
                            reason=reason, now=now, event_model=StoreProfileChangeEvent,
                            event_fk="change", fields=fields)


def _profile_apply(store: Store, *, name: str, introduction: str, profile_url: str) -> None:
    """Write the public profile; a name another store took meanwhile is refused by the
    database (`uniq_store_name_not_closed`) and reported as ``name_taken``."""
    store.name, store.introduction, store.profile_url = name, introduction, profile_url
    try:
        with transaction.atomic():
            store.save(update_fields=["name", "introduction", "profile_url", "updated_at"])
    except IntegrityError:
        raise store_name_taken_error(name)


def store_profile_pending(store: Store) -> StoreProfileChange | None:
    return store.profile_changes.filter(status=StoreProfileChange.Status.PENDING).first()


def store_profile_update(*, store: Store, actor, name: str, introduction: str,
                         profile_url: str, logo=None, now: datetime | None = None):
    """The merchant's store settings. The logo applies at once. The name, introduction and
    profile link are screened like a listing; a rename, or a text the screening flags, waits
    for a reviewer (a `StoreProfileChange`) while the current values stay public; otherwise
    they apply at once. A newer change replaces one still waiting. Returns the waiting
    change, or None when everything applied. The logo is decoded before the transaction
    opens (no write lock is held meanwhile)."""
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from common.uploads import validate_image_upload

    now = now or timezone.now()
    name = (name or "").strip()
    introduction = (introduction or "").strip()
    if not name:
        raise ApplicationError(_("The store needs a name."), code="name_required", field="name")
    try:
        profile_url = parse_profile_link(
            profile_url, config.get("store.profile_link_prefixes").split())
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code=exc.code, field="profile_url")
    content = None
    if logo is not None:
        try:
            _info, content = validate_image_upload(logo, max_bytes=settings.UPLOAD_MAX_BYTES)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], code="logo_invalid", field="logo")
    with transaction.atomic():
        store = store_lock(store)
        renames = name != store.name
        if renames and store_name_taken(name, store=store):
            raise store_name_taken_error(name)
        if content is not None:
            store.logo = content
            store.save(update_fields=["logo", "updated_at"])
        hits = store_profile_screen(name=name, introduction=introduction)
        pending = store.profile_changes.select_for_update().filter(
            status=StoreProfileChange.Status.PENDING).first()
        if pending is not None:
            store_profile_change_transition(
                pending, StoreProfileChange.Status.REPLACED, actor=actor,
                reason=R("store_profile_replaced"), now=now, fields={"decided_at": now},
            )
        if not store_profile_needs_review(renames=renames, hits=hits):
            _profile_apply(store, name=name, introduction=introduction,
                           profile_url=profile_url)
            return None
        change = StoreProfileChange.objects.create(
            store=store, name=name, introduction=introduction, profile_url=profile_url,
            renames=renames, screening_hits=hits, has_hits=bool(hits), submitted_at=now,
        )
        StoreProfileChangeEvent.objects.create(
            change=change, from_status="", to_status=change.status, actor=actor, at=now,
            **reason_fields(R("store_profile_submitted")),
        )
        return change


@transaction.atomic
def store_profile_change_approve(*, change: StoreProfileChange, actor,
                                 now: datetime | None = None) -> StoreProfileChange:
    """A reviewer approves a waiting change: it becomes the store's public profile. A name
    another store took meanwhile is refused (the change stays waiting)."""
    now = now or timezone.now()
    # The store first, then the change: the merchant's update takes them in this order.
    store = store_lock(change.store)
    change = StoreProfileChange.objects.select_for_update().get(pk=change.pk)
    if change.status != StoreProfileChange.Status.PENDING:
        raise ApplicationError(_("Only a waiting change can be approved."), code="bad_state")
    if change.renames and store_name_taken(change.name, store=store):
        raise store_name_taken_error(change.name)
    _profile_apply(store, name=change.name, introduction=change.introduction,
                   profile_url=change.profile_url)
    store_profile_change_transition(
        change, StoreProfileChange.Status.APPROVED, actor=actor,
        reason=R("store_profile_approved"), now=now,
        fields={"decided_at": now, "reviewer": actor},
    )
    return change


@transaction.atomic
def store_profile_change_reject(*, change: StoreProfileChange, actor, reason: str,
                                now: datetime | None = None) -> StoreProfileChange:
    """A reviewer rejects a waiting change with a reason the merchant reads; the store keeps
    its current profile."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A rejection needs a reason."), code="reason_required",
                               field="reason")
    store_lock(change.store)
    change = StoreProfileChange.objects.select_for_update().get(pk=change.pk)
    store_profile_change_transition(
        change, StoreProfileChange.Status.REJECTED, actor=actor, reason=reason, now=now,
        fields={"decided_at": now, "reviewer": actor, "rejection_reason": reason},
    )
    return change
