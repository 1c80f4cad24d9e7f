"""Notifications (站内信): a decision or a clock that concerns a user leaves a row in their
inbox, with a link to the object, and (for the kinds they chose) an e-mail.

Each app declares the kinds it writes in its `notifications.py` (found by
`CommonConfig.ready`)::

    from django.utils.translation import gettext_lazy as _
    from common.notifications import Kinds

    N = Kinds("shop", {
        "product_rejected": (_("Product rejected"),
                             _("“%(product)s” was not approved.")),
    })

and its services call, inside the transaction of the event::

    notification_create(recipient=merchant, kind=N("product_rejected"),
                        params={"product": product.title}, text=reason,
                        link=("seller:products_detail", [product.pk]), now=now)

The row stores the kind and its parameters (`Label`/`Reason` parameters keep their codes),
so the inbox renders it in the reader's language; what a person typed (`text`) is shown
as written. It commits or rolls back with the event. The e-mail is queued for the worker
once the transaction has committed, and sent at most once (`emailed_at`)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common import config, reasons
from common.errors import ApplicationError
from common.models import Notification, NotificationPreference

logger = logging.getLogger(__name__)

config.define("notifications.page_size", 20,
              _("Notifications shown per page of the inbox"), "pcs")
# The header's unread count stops at this ("99+"): a display limit like the lists' bounded
# counts (shop.selectors.orders.LIST_COUNT_CAP), not a rule, so no configuration read.
BADGE_CAP = 99


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise | str
    message: Promise | str


_KINDS: dict[str, Kind] = {}


class Kinds:
    """An app's notification kinds: short code → (label, message). ``N("code")`` is the
    full code (prefixed with the app label), checked to exist."""

    def __init__(self, prefix: str, kinds: Mapping[str, tuple[Promise | str, Promise | str]]):
        self.prefix = prefix
        for code, (label, message) in kinds.items():
            full = f"{prefix}.{code}"
            known = _KINDS.get(full)
            if known is not None and known.message is not message:
                raise ValueError(f"notification kind {full!r} is registered twice")
            _KINDS[full] = Kind(full, label, message)

    def __call__(self, code: str) -> str:
        full = f"{self.prefix}.{code}"
        if full not in _KINDS:
            raise KeyError(f"unknown notification kind {full!r}")
        return full


def kinds() -> list[Kind]:
    """Every registered kind, in registration order."""
    return list(_KINDS.values())


def kind_label(code: str) -> str:
    kind = _KINDS.get(code)
    return str(kind.label) if kind else code


# --- reading ------------------------------------------------------------------------------------
def notification_message(notification: Notification) -> str:
    """The notification's sentence in the active language, then what a person typed."""
    kind = _KINDS.get(notification.kind)
    parts = [reasons.format_message(kind.message, notification.params)] if kind else []
    if notification.text:
        parts.append(notification.text)
    return " — ".join(parts) or notification.kind


def notification_url(notification: Notification) -> str:
    """The page of the object, or "" when there is none (any more)."""
    if not notification.link_name:
        return ""
    try:
        return reverse(notification.link_name, args=list(notification.link_args or []))
    except NoReverseMatch:
        return ""


def notifications_for(user, *, unread: bool = False, kind: str = ""):
    """The user's own notifications, newest first (served by the inbox indexes)."""
    qs = Notification.objects.filter(recipient=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at", "-id")


def unread_count(user) -> tuple[int, bool]:
    """How many unread notifications the user has, counted up to the badge's cap (one
    bounded query), and whether there are more."""
    count = (Notification.objects.filter(recipient=user, read_at__isnull=True)
             .order_by()[:BADGE_CAP + 1].count())
    return min(count, BADGE_CAP), count > BADGE_CAP


def email_kinds_of(user) -> list[str]:
    preference = NotificationPreference.objects.filter(user=user).first()
    return list(preference.email_kinds) if preference else []


# --- writing ------------------------------------------------------------------------------------
def _email_wanted(recipient_id: int, kind: str) -> bool:
    kinds_on = (NotificationPreference.objects.filter(user_id=recipient_id)
                .values_list("email_kinds", flat=True).first())
    return bool(kinds_on) and kind in kinds_on


def _email_enqueue(notification_id: int) -> None:
    from django_q.tasks import async_task

    async_task("common.tasks.notification_email_send", notification_id,
               task_name=f"notification-email-{notification_id}")


def notification_create(*, recipient, kind: str, params: Mapping[str, Any] | None = None,
                        text: str = "", link: tuple[str, Iterable] | None = None,
                        key: str = "", now: datetime | None = None) -> Notification | None:
    """Tell `recipient` (a user or a user id) something of `kind`, linking to the page
    `link` = (URL name, args). Runs in the caller's transaction, so the notification is
    written (and its e-mail queued) only if the event that causes it commits. With a `key`
    it is written once per recipient and kind: None when it already was."""
    if kind not in _KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    recipient_id = getattr(recipient, "pk", recipient)
    if recipient_id is None:
        return None
    now = now or timezone.now()
    link_name, link_args = (link[0], [a for a in link[1]]) if link else ("", [])
    fields = {
        "recipient_id": recipient_id, "kind": kind, "params": reasons.jsonable_params(params),
        "text": str(text or ""), "link_name": link_name, "link_args": link_args,
        "key": key, "created_at": now,
    }
    if key:
        if Notification.objects.filter(recipient_id=recipient_id, kind=kind, key=key).exists():
            return None
        try:
            with transaction.atomic():
                notification = Notification.objects.create(**fields)
        except IntegrityError:
            return None  # written meanwhile by a concurrent run of the same clock
    else:
        notification = Notification.objects.create(**fields)
    if _email_wanted(recipient_id, kind):
        transaction.on_commit(partial(_email_enqueue, notification.pk))
    return notification


@dataclass(frozen=True)
class Note:
    """One notification of a bulk write (`notifications_create_bulk`)."""

    recipient_id: int
    params: Mapping[str, Any] | None = None
    text: str = ""
    link: tuple[str, Iterable] | None = None
    key: str = ""


def notifications_create_bulk(*, kind: str, notes: Iterable[Note],
                              now: datetime | None = None) -> int:
    """Write many notifications of one kind at once (a sweep's batch), in the caller's
    transaction: the ones with a key already written for their recipient are skipped (one
    query), the rest are inserted together, and the e-mails of the recipients who chose
    this kind are queued after the commit. Returns how many were written."""
    if kind not in _KINDS:
        raise KeyError(f"unknown notification kind {kind!r}")
    now = now or timezone.now()
    notes = [n for n in notes if n.recipient_id is not None]
    keys = {n.key for n in notes if n.key}
    written = set()
    if keys:
        written = set(Notification.objects.filter(
            kind=kind, key__in=keys, recipient_id__in={n.recipient_id for n in notes})
            .values_list("recipient_id", "key"))
    rows, seen = [], set()
    for note in notes:
        if note.key:
            if (note.recipient_id, note.key) in written | seen:
                continue
            seen.add((note.recipient_id, note.key))
        link_name, link_args = (note.link[0], list(note.link[1])) if note.link else ("", [])
        rows.append(Notification(
            recipient_id=note.recipient_id, kind=kind,
            params=reasons.jsonable_params(note.params), text=str(note.text or ""),
            link_name=link_name, link_args=link_args, key=note.key, created_at=now))
    if not rows:
        return 0
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:
        # A concurrent run of the same clock wrote a keyed one meanwhile: one by one, each
        # skipped where it was written (the database's once-only constraint decides).
        done = 0
        for row in rows:
            done += notification_create(
                recipient=row.recipient_id, kind=kind, params=row.params, text=row.text,
                link=(row.link_name, row.link_args) if row.link_name else None,
                key=row.key, now=now) is not None
        return done
    wanted = {user_id for user_id, kinds_on in NotificationPreference.objects.filter(
        user_id__in={row.recipient_id for row in created}).values_list("user_id", "email_kinds")
        if kind in (kinds_on or [])}
    for row in created:
        if row.recipient_id in wanted:
            transaction.on_commit(partial(_email_enqueue, row.pk))
    return len(created)


def notification_mark_read(*, user, notification_id: int, now: datetime | None = None
                           ) -> Notification:
    """Mark one of the user's notifications read; another user's is not found."""
    now = now or timezone.now()
    notification = Notification.objects.filter(recipient=user, pk=notification_id).first()
    if notification is None:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, user, kind: str = "", now: datetime | None = None) -> int:
    now = now or timezone.now()
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.update(read_at=now)


def notification_preferences_set(*, user, email_kinds: Iterable[str]) -> NotificationPreference:
    email_kinds = sorted(set(email_kinds))
    unknown = [code for code in email_kinds if code not in _KINDS]
    if unknown:
        raise ApplicationError(_("Unknown kind of notification."), code="unknown_kind",
                               field="email_kinds")
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_kinds": email_kinds})
    return preference


def recipient_language(user) -> str:
    """The language a user is written to in: their preferred language where the user model
    stores one (a `language` or `preferred_language` field naming one of LANGUAGES), else
    the platform's (settings.LANGUAGE_CODE). The stock user model stores none."""
    supported = {code for code, _name in settings.LANGUAGES}
    for name in ("preferred_language", "language"):
        value = getattr(user, name, "") or ""
        if isinstance(value, str) and value in supported:
            return value
    return settings.LANGUAGE_CODE


def absolute_url(path: str) -> str:
    """A path of this site as a link that works outside it (an e-mail), from SITE_URL."""
    return f"{settings.SITE_URL.rstrip('/')}{path}" if path.startswith("/") else path


def notification_email_deliver(*, notification_id: int, now: datetime | None = None) -> bool:
    """Send a notification by e-mail (through the configured EMAIL_BACKEND), once: the row
    is locked and stamped in the same transaction, so a task delivered twice sends one
    e-mail. Nothing is sent when the kind has been switched off since, or the recipient
    has no address. Returns whether an e-mail was sent."""
    now = now or timezone.now()
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(of=("self",))
                        .select_related("recipient").filter(pk=notification_id).first())
        if notification is None or notification.emailed_at is not None:
            return False
        email = notification.recipient.email
        if not email or not _email_wanted(notification.recipient_id, notification.kind):
            return False
        # In the recipient's language, whatever language the worker runs in.
        with translation.override(recipient_language(notification.recipient)):
            subject = f"{settings.PLATFORM_NAME} · {kind_label(notification.kind)}"
            body = notification_message(notification)
            url = notification_url(notification)
            if url:
                body += "\n\n" + absolute_url(url)
        send_mail(str(subject), body, None, [email])
        notification.emailed_at = now
        notification.save(update_fields=["emailed_at"])
    return True
