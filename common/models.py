from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common import reasons


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ReasonedModel(models.Model):
    """Why a row was written. What a person typed stays in `reason`, shown as written; what
    the system wrote is a code with parameters (`common.reasons`), rendered in the reader's
    language."""

    reason = models.TextField(_("reason"), blank=True)
    reason_code = models.CharField(_("reason code"), max_length=80, blank=True)
    reason_params = models.JSONField(_("reason parameters"), default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def reason_display(self) -> str:
        return reasons.display(self.reason_code, self.reason_params, self.reason)


class EventBase(ReasonedModel):
    """One row per state change: the timeline users see and the audit trail.
    `actor` is empty when the system (a clock) made the change."""

    from_status = models.CharField(_("from"), max_length=32, blank=True)
    to_status = models.CharField(_("to"), max_length=32, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    @property
    def actor_display(self):
        if self.actor_id is None:
            return _("System")
        return self.actor.get_username()

    def _status_label(self, value: str):
        """A status by its label in the reader's language: a choice of the `status` field
        of the row the event belongs to (its first foreign key other than the actor).
        Event models whose statuses come from elsewhere say so in their own properties."""
        if not value:
            return value
        for field in self._meta.concrete_fields:
            if not field.many_to_one or field.name == "actor":
                continue
            try:
                status = field.related_model._meta.get_field("status")
            except FieldDoesNotExist:
                continue
            return dict(status.flatchoices).get(value, value)
        return value

    @property
    def from_status_label(self):
        return self._status_label(self.from_status)

    @property
    def to_status_label(self):
        return self._status_label(self.to_status)

    def __str__(self):
        # The row's title in the admin timelines: the move, by its labels.
        return f"{self.from_status_label or '—'} → {self.to_status_label or '—'}"


class WorkerHeartbeat(models.Model):
    """Written by the worker each time it runs the deadline sweeps; read by /healthz."""

    name = models.CharField(max_length=50, primary_key=True)
    beat_at = models.DateTimeField()
    last_result = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class PlatformSetting(models.Model):
    """A configuration value (deadline, amount, threshold) that reviewers may edit.
    Defaults are declared in code with `common.config.define`; a row here overrides one."""

    key = models.CharField(_("key"), max_length=80, primary_key=True)
    value = models.JSONField(_("value"))
    note = models.CharField(_("why changed"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("platform setting")
        verbose_name_plural = _("platform settings")
        ordering = ["key"]

    def __str__(self):
        return self.key


class Notification(models.Model):
    """A notification (站内信) to a user about a decision or a clock that concerns them.

    The text is not stored in the writer's language: `kind` names a message registered in
    `common.notifications` and `params` its parameters (codes and labels, as reason codes
    store them), rendered in the reader's language when read. `text` keeps what a person
    typed (a reviewer's rejection), shown as written. `link_name`/`link_args` name the page
    of the object (a URL name, reversed when read). `key`, when given, makes the
    notification once-only for its recipient and kind (a clock that may fire again)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=80)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    text = models.TextField(_("note"), blank=True)
    link_name = models.CharField(_("link"), max_length=120, blank=True)
    link_args = models.JSONField(_("link arguments"), default=list, blank=True)
    key = models.CharField(_("key"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The inbox (newest first), its kind filter and its unread filter / the badge.
            models.Index(fields=["recipient", "-created_at", "-id"],
                         name="notification_inbox"),
            models.Index(fields=["recipient", "kind", "-created_at", "-id"],
                         name="notification_kind"),
            models.Index(fields=["recipient", "-created_at", "-id"],
                         condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "key"],
                                    condition=~models.Q(key=""), name="notification_once"),
        ]

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"


class NotificationPreference(models.Model):
    """Which kinds of notification a user also receives by e-mail (none until they choose)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        primary_key=True, related_name="notification_preference",
    )
    email_kinds = models.JSONField(_("kinds sent by e-mail"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user_id)
