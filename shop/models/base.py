"""Querysets and bases the shop's models share: merchant scoping and append-only ledgers."""


from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import ReasonedModel
from common.money import MoneyField


class MerchantScopedQuerySet(models.QuerySet):
    """`for_merchant(user)`: the only way merchant-facing code reads these rows. The
    subclass names the path from the model to the merchant user."""

    merchant_path = "store__merchant"

    def for_merchant(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(**{self.merchant_path: user})


def scoped_manager(path):
    qs_class = type("ScopedQuerySet", (MerchantScopedQuerySet,), {"merchant_path": path})
    return qs_class.as_manager()


# --- Deposits, store account and closure -------------------------------------------------
class LedgerImmutableError(Exception):
    """A ledger entry was about to be changed or deleted: entries are append-only."""


class LedgerEntryQuerySet(MerchantScopedQuerySet):
    """Bulk updates and deletes are refused: a correction is a new entry."""

    def update(self, **kwargs):
        raise LedgerImmutableError("ledger entries are never updated")

    def delete(self):
        raise LedgerImmutableError("ledger entries are never deleted")


def ledger_manager(path):
    qs_class = type("ScopedLedgerQuerySet", (LedgerEntryQuerySet,), {"merchant_path": path})
    return models.Manager.from_queryset(qs_class)()


class LedgerEntryBase(ReasonedModel):
    """One movement of money on an account. `amount` is signed (in > 0, out < 0) and
    `balance_after` is the account's balance once it is applied: the balance is always the
    sum of the entries. (cause_type, cause_id) names what caused it (an order, a refund
    payment, an after-sale request, a withdrawal, a closure …); the optional foreign keys
    link the common causes."""

    amount = MoneyField(_("amount"))
    balance_after = MoneyField(_("balance after"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    cause_type = models.CharField(_("cause"), max_length=24, blank=True)
    cause_id = models.CharField(_("cause id"), max_length=64, blank=True)
    order = models.ForeignKey(
        "shop.Order", verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("payment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-pk"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutableError("ledger entries are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError("ledger entries are never deleted")

    @property
    def actor_display(self):
        if self.actor_id is None:
            return _("System")
        return self.actor.get_username()

    @property
    def cause_display(self):
        """What caused the entry, for people: a label and the id where one helps."""
        label = LEDGER_CAUSE_LABELS.get(self.cause_type, self.cause_type)
        if not self.cause_id or self.cause_type in ("adjustment", "store_account"):
            return label
        return f"{label} #{self.cause_id}"


LEDGER_CAUSE_LABELS = {
    "payin": _("deposit payment"),
    "after_sale": _("after-sale request"),
    "violation": _("violation"),
    "order": _("order"),
    "payment": _("refund"),
    "withdrawal": _("withdrawal"),
    "closure": _("closure application"),
    "adjustment": _("manual adjustment"),
    "store_account": _("store account"),
    "deposit_entry": _("deposit entry"),
    "demo": _("demo"),
}


