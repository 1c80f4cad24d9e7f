"""Deposit accounts, their ledger, pay-ins and monthly adjustments."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase
from common.money import MoneyField
from shop.models.base import (
    LedgerEntryBase,
    ledger_manager,
    scoped_manager,
)
from shop.models.stores import (
    Store,
)


class DepositAccount(models.Model):
    """A store's deposit (保证金): the store deposit 店铺保证金 (own products) or the
    promotion deposit 推广保证金 (other-platform products). `balance` is the last entry's
    balance_after; the requirement and the restriction are stored by the evaluation
    service, so other apps read them instead of recomputing."""

    class Kind(models.TextChoices):
        STORE = "store", _("Store deposit")
        PROMOTION = "promotion", _("Promotion deposit")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="deposit_accounts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    balance = MoneyField(_("balance"), default=0)
    required_amount = MoneyField(_("required amount"), default=0)
    required_lines = models.JSONField(_("how the requirement is made up"), default=list, blank=True)
    required_at = models.DateTimeField(_("requirement computed at"), null=True, blank=True)
    sales_month = models.DateField(_("sales month"), null=True, blank=True)
    sales_amount = MoneyField(_("sales of that month"), null=True, blank=True)
    # Clock: a shortfall does not restrict the store before the first payment is due.
    pay_by = models.DateTimeField(_("first payment due by"), null=True, blank=True, db_index=True)
    shortfall = MoneyField(_("shortfall"), default=0)
    restricted_since = models.DateTimeField(
        _("restricted since"), null=True, blank=True, db_index=True
    )
    closed_at = models.DateTimeField(_("refunded and closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("deposit account")
        verbose_name_plural = _("deposit accounts")
        ordering = ["store_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["store", "kind"], name="deposit_account_one_per_kind"),
            models.CheckConstraint(condition=Q(shortfall__gte=0), name="deposit_shortfall_not_negative"),
        ]

    def __str__(self):
        return f"{self.store} · {self.get_kind_display()}"


class DepositEntry(LedgerEntryBase):
    """One movement of a deposit (保证金流水). A deduction for the same cause happens once:
    (account, kind, cause_type, cause_id) is unique."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        TOP_UP = "top_up", _("Top-up")
        TRANSFER = "transfer", _("Transfer from the store account")
        DEDUCTION = "deduction", _("Deduction for compensation")
        REFUND = "refund", _("Refund on exit")
        # The refund payout failed at the provider: the money is back on the deposit.
        REFUND_RETURNED = "refund_returned", _("Refund returned (payout failed)")
        ADJUSTMENT = "adjustment", _("Manual adjustment")

    account = models.ForeignKey(
        DepositAccount, verbose_name=_("deposit account"), on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    requested_amount = MoneyField(_("amount asked for"), null=True, blank=True)
    uncovered = MoneyField(
        _("not covered by the deposit"), default=0,
        help_text=_("Part of a deduction the deposit could not cover."),
    )

    objects = ledger_manager("account__store__merchant")

    class Meta(LedgerEntryBase.Meta):
        verbose_name = _("deposit entry")
        verbose_name_plural = _("deposit entries")
        indexes = [
            models.Index(fields=["account", "-id"], name="deposit_entry_account_id"),
            models.Index(fields=["account", "at"], name="deposit_entry_account_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "cause_type", "cause_id"],
                condition=~Q(cause_id=""),
                name="deposit_entry_once_per_cause",
            ),
            models.CheckConstraint(
                condition=~Q(amount=0) | Q(uncovered__gt=0), name="deposit_entry_moves_money"
            ),
            models.CheckConstraint(condition=Q(uncovered__gte=0), name="deposit_uncovered_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def deducted(self):
        """What a deduction actually took from the deposit (a positive amount)."""
        return -self.amount if self.amount < 0 else self.amount


class DepositPayIn(models.Model):
    """A merchant's payment into a deposit (缴纳/补缴保证金). The money moves as a payment
    with the purpose ``deposit.payin``; its settlement credits the deposit, once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        # The money arrived after the deposit was closed and was sent back.
        REFUNDED = "refunded", _("Refunded: the deposit was closed")

    account = models.ForeignKey(
        DepositAccount, verbose_name=_("deposit account"), on_delete=models.PROTECT,
        related_name="payins",
    )
    amount = MoneyField(_("amount"))
    payment = models.OneToOneField(
        "payments.Payment", verbose_name=_("payment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paid by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = scoped_manager("account__store__merchant")

    class Meta:
        verbose_name = _("deposit payment")
        verbose_name_plural = _("deposit payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payin_amount_positive"),
        ]

    def __str__(self):
        return f"{self.account} {self.amount} ({self.get_status_display()})"

    @property
    def provider_ref(self) -> str:
        return self.payment.provider_ref if self.payment_id else ""


class DepositPayInEvent(EventBase):
    """A deposit pay-in started, or settled by the payment provider: its timeline."""

    payin = models.ForeignKey(
        DepositPayIn, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("deposit payment"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("deposit payment event")
        verbose_name_plural = _("deposit payment events")

    @property
    def from_status_label(self):
        return dict(DepositPayIn.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(DepositPayIn.Status.choices).get(self.to_status, self.to_status)

    def __str__(self):
        # The row's title in the admin timeline: the move, by its labels.
        return f"{self.from_status_label or '—'} → {self.to_status_label}"


class DepositAdjustmentRun(models.Model):
    """One monthly dynamic adjustment (动态调整) over every store, by the sales of
    `sales_month`; its progress is what the admin shows. One per month."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    sales_month = models.DateField(_("sales month"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    total = models.PositiveIntegerField(_("stores to adjust"), default=0)
    done = models.PositiveIntegerField(_("stores adjusted"), default=0)
    changed = models.PositiveIntegerField(_("requirements changed"), default=0)
    last_store_id = models.BigIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("monthly deposit adjustment")
        verbose_name_plural = _("monthly deposit adjustments")
        ordering = ["-sales_month"]

    def __str__(self):
        return f"{self.sales_month:%Y-%m}"

    @property
    def percent(self):
        if not self.total:
            return 100 if self.status == self.Status.FINISHED else 0
        return min(100, round(self.done * 100 / self.total))


class DepositAdjustment(models.Model):
    """What the monthly run decided for one store and why; one per (store, month), so
    running the month again changes nothing."""

    run = models.ForeignKey(
        DepositAdjustmentRun, verbose_name=_("run"), on_delete=models.PROTECT,
        related_name="adjustments",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="deposit_adjustments"
    )
    sales_month = models.DateField(_("sales month"))
    sales_amount = MoneyField(_("sales"))
    store_required_before = MoneyField(_("store deposit required before"))
    store_required_after = MoneyField(_("store deposit required after"))
    promotion_required_before = MoneyField(_("promotion deposit required before"))
    promotion_required_after = MoneyField(_("promotion deposit required after"))
    lines = models.JSONField(_("reasons"), default=dict, blank=True)
    changed = models.BooleanField(_("changed"), default=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("deposit adjustment")
        verbose_name_plural = _("deposit adjustments")
        ordering = ["-sales_month", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "sales_month"], name="deposit_adjustment_once_a_month"),
        ]

    def __str__(self):
        return f"{self.store} {self.sales_month:%Y-%m}"


