"""Money moving in or out through the payment provider. Knows no domain: the owner of a
payment is named by its `purpose` (a key registered in `payments.purposes`) and the id of
its `subject`; `reference` is an opaque label the owner lists its payments by."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase
from common.money import MoneyField
from payments import rules


class Payment(models.Model):
    """A pay-in, refund or payout at the payment provider. `provider_ref` makes callbacks
    idempotent; `idempotency_key` makes each request to the provider happen once."""

    class Kind(models.TextChoices):
        PAYMENT = rules.PAYMENT, _("Payment")
        REFUND = rules.REFUND, _("Refund")
        PAYOUT = rules.PAYOUT, _("Payout")

    class Status(models.TextChoices):
        PENDING = rules.PENDING, _("Pending")
        SUCCEEDED = rules.SUCCEEDED, _("Succeeded")
        FAILED = rules.FAILED, _("Failed")

    purpose = models.CharField(_("purpose"), max_length=40, db_index=True)
    subject_id = models.CharField(_("subject"), max_length=40)
    reference = models.CharField(_("reference"), max_length=64, blank=True, db_index=True)
    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payee"), on_delete=models.PROTECT,
        related_name="+", null=True, blank=True,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PAYMENT)
    provider = models.CharField(_("provider"), max_length=20)
    provider_ref = models.CharField(_("provider reference"), max_length=64, unique=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    amount = MoneyField(_("amount"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    raw = models.JSONField(_("provider data"), default=dict, blank=True)
    # What the owner needs to settle it (an order line, a pay-in …): opaque to payments.
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        db_table = "shop_payment"
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["purpose", "subject_id"], name="payment_purpose_subject")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.provider_ref}"


class PaymentEvent(EventBase):
    """One row per change of a payment's status: created, confirmed, failed."""

    payment = models.ForeignKey(
        Payment, on_delete=models.CASCADE, related_name="events", verbose_name=_("payment")
    )

    class Meta(EventBase.Meta):
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")

    @property
    def to_status_label(self):
        return dict(Payment.Status.choices).get(self.to_status, self.to_status)
