"""The store account (settled sales), its ledger and withdrawals."""

from decimal import Decimal

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


class StoreAccount(models.Model):
    """A store's account of sales proceeds (货款账户): settled orders minus the technical
    service fee, less refunds after settlement, withdrawals and transfers to the deposit."""

    store = models.OneToOneField(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="account"
    )
    balance = MoneyField(_("balance"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("store account")
        verbose_name_plural = _("store accounts")
        ordering = ["store_id"]

    def __str__(self):
        return str(self.store)

    @property
    def available(self):
        return self.balance if self.balance > 0 else Decimal("0.00")


class StoreAccountEntry(LedgerEntryBase):
    """One movement of the store account (货款流水)."""

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement", _("Order settled")
        REFUND = "refund", _("Refund after settlement")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        WITHDRAWAL_RETURNED = "withdrawal_returned", _("Withdrawal returned")
        DEPOSIT_TRANSFER = "deposit_transfer", _("Transfer to the deposit")
        # A refund debited after settlement failed at the provider: the debit is reversed.
        REFUND_REVERSED = "refund_reversed", _("Refund reversed (refund failed)")
        ADJUSTMENT = "adjustment", _("Manual adjustment")
        # Selection center (选货中心): the seller pays a promoter's commission out of an
        # order's settlement; a refund moves it back.
        COMMISSION = "commission", _("Commission paid to a promoter")
        COMMISSION_EARNED = "commission_earned", _("Commission earned")
        COMMISSION_RETURNED = "commission_returned", _("Commission returned (refund)")
        COMMISSION_REVERSED = "commission_reversed", _("Commission taken back (refund)")
        # Paid promotion (推广): the budget charged, and what was not spent given back.
        PROMOTION_CHARGE = "promotion_charge", _("Paid promotion budget")
        PROMOTION_REFUND = "promotion_refund", _("Paid promotion: unspent budget refunded")

    account = models.ForeignKey(
        StoreAccount, verbose_name=_("store account"), on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    objects = ledger_manager("account__store__merchant")

    class Meta(LedgerEntryBase.Meta):
        verbose_name = _("store account entry")
        verbose_name_plural = _("store account entries")
        indexes = [
            models.Index(fields=["account", "-id"], name="store_entry_account_id"),
            models.Index(fields=["account", "at"], name="store_entry_account_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "cause_type", "cause_id"],
                condition=~Q(cause_id=""),
                name="store_entry_once_per_cause",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="store_entry_moves_money"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class Withdrawal(models.Model):
    """A merchant's request to withdraw available balance (货款提现). The money leaves the
    store account when requested and comes back if the request is rejected or fails."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting review")
        # Approved; the provider has not confirmed the payout yet (the money stays held).
        PAYING = "paying", _("Being paid out")
        PAID = "paid", _("Paid out")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Payout failed")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    amount = MoneyField(_("amount"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED,
        db_index=True,
    )
    token = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    automatic = models.BooleanField(_("paid automatically"), default=False)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("payout"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["store", "-requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="withdrawal_amount_positive"),
            models.UniqueConstraint(fields=["store", "token"], name="withdrawal_once_per_token"),
        ]

    def __str__(self):
        return f"{self.store} {self.amount}"


class WithdrawalEvent(EventBase):
    withdrawal = models.ForeignKey(
        Withdrawal, on_delete=models.CASCADE, related_name="events", verbose_name=_("withdrawal")
    )

    class Meta(EventBase.Meta):
        verbose_name = _("withdrawal event")
        verbose_name_plural = _("withdrawal events")


