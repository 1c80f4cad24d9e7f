"""The selection center (选货中心): a store offers its listed products to promoters with a
commission rate; a promoter (another store's streamer) carries them in its live cart or
short videos, and earns the commission (佣金) on the orders it brings."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from shop.models import scoped_manager

RATE_DIGITS = {"max_digits": 5, "decimal_places": 4}


def percent(rate) -> str:
    """0.1250 → "12.5%"."""
    return f"{(rate * 100).normalize():f}%"


class ProductOffer(TimeStampedModel):
    """A product offered in the selection center (选货中心商品) with its commission rate."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Offered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="product_offers")
    product = models.ForeignKey("shop.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="offers")
    rate = models.DecimalField(_("commission rate"), **RATE_DIGITS)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.ACTIVE, db_index=True)
    # Units paid for through promoters: the center's "sort by sales".
    units_sold = models.PositiveIntegerField(_("units sold by promoters"), default=0)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("selection-center offer")
        verbose_name_plural = _("selection-center offers")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "-created_at"], name="offer_store_created"),
            # the center's two orderings
            models.Index(fields=["status", "-rate", "-id"], name="offer_status_rate"),
            models.Index(fields=["status", "-units_sold", "-id"], name="offer_status_sales"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(status="active"),
                                    name="offer_one_active_per_product"),
            models.CheckConstraint(condition=Q(rate__gt=0) & Q(rate__lt=1),
                                   name="offer_rate_between_0_and_1"),
        ]

    def __str__(self):
        return f"{self.product_id} · {self.rate_percent}"

    @property
    def rate_percent(self) -> str:
        return percent(self.rate)


class ProductOfferEvent(EventBase):
    offer = models.ForeignKey(ProductOffer, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("selection-center offer event")
        verbose_name_plural = _("selection-center offer events")


class Commission(models.Model):
    """A promoter's commission (推广佣金) on one order it brought: recorded when the order
    is paid, settled into the promoter's store account when the order completes (the
    seller's settlement pays it), reversed on refund."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SETTLED = "settled", _("Settled")
        REVERSED = "reversed", _("Reversed")

    order = models.OneToOneField("shop.Order", verbose_name=_("order"),
                                 on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey("shop.Store", verbose_name=_("seller"),
                               on_delete=models.PROTECT, related_name="+")
    promoter = models.ForeignKey("shop.Store", verbose_name=_("promoter"),
                                 on_delete=models.PROTECT, related_name="commissions")
    # The rate snapshotted on the order's lines (the effective rate if they differ).
    rate = models.DecimalField(_("commission rate"), **RATE_DIGITS)
    base = MoneyField(_("commissionable amount"))
    amount = MoneyField(_("commission"))
    reversed_amount = MoneyField(_("reversed"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)

    objects = scoped_manager("promoter__merchant")

    class Meta:
        verbose_name = _("commission")
        verbose_name_plural = _("commissions")
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["promoter", "-recorded_at", "-id"], name="commission_promoter"),
            models.Index(fields=["promoter", "status", "-recorded_at", "-id"],
                         name="commission_promoter_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(reversed_amount__gte=0)
                                   & Q(reversed_amount__lte=models.F("amount")),
                                   name="commission_amounts_consistent"),
            models.CheckConstraint(condition=~Q(promoter=models.F("seller")),
                                   name="commission_promoter_not_seller"),
        ]

    def __str__(self):
        return f"{self.order_id} · {self.amount}"

    @property
    def rate_percent(self) -> str:
        return percent(self.rate)

    @property
    def net_amount(self):
        return self.amount - self.reversed_amount


class CommissionEvent(EventBase):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("commission event")
        verbose_name_plural = _("commission events")
