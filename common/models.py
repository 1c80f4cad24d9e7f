from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class EventBase(models.Model):
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
    reason = models.TextField(_("reason"), blank=True)
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
