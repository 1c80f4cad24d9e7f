"""Store closure applications and their history."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase
from shop.models.base import (
    scoped_manager,
)
from shop.models.deposits import (
    DepositAccount,
)
from shop.models.stores import (
    Store,
)


class ClosureApplication(models.Model):
    """An application to close the store and have deposits refunded (关店退保证金). The
    closure notice shows on the public store page until `notice_until`; reviewers decide
    by `review_by`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        # Approved; a refund payout is not confirmed by the provider yet.
        REFUNDING = "refunding", _("Approved, refund being paid out")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="closure_applications"
    )
    refund_store_deposit = models.BooleanField(_("refund the store deposit"), default=True)
    refund_promotion_deposit = models.BooleanField(_("refund the promotion deposit"), default=True)
    reason = models.TextField(_("merchant's reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    notice_until = models.DateTimeField(_("closure notice shown until"))
    review_by = models.DateTimeField(_("review due by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    checklist = models.JSONField(_("checklist at the last check"), default=list, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("closure application")
        verbose_name_plural = _("closure applications")
        ordering = ["-applied_at", "-pk"]
        indexes = [models.Index(fields=["status", "review_by"])]
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=Q(status__in=["pending", "refunding"]),
                name="one_open_closure_per_store",
            ),
            models.CheckConstraint(
                condition=Q(refund_store_deposit=True) | Q(refund_promotion_deposit=True),
                name="closure_refunds_something",
            ),
        ]

    def __str__(self):
        return f"{self.store} ({self.get_status_display()})"

    @property
    def deposit_kinds(self) -> list[str]:
        kinds = []
        if self.refund_store_deposit:
            kinds.append(DepositAccount.Kind.STORE)
        if self.refund_promotion_deposit:
            kinds.append(DepositAccount.Kind.PROMOTION)
        return kinds


class ClosureEvent(EventBase):
    application = models.ForeignKey(
        ClosureApplication, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("closure application"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("closure event")
        verbose_name_plural = _("closure events")
