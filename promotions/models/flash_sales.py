"""Flash sales (秒杀): a store sells one own product at flash prices for a few minutes to a
day, from flash stock moved out of the SKUs when the sale starts and given back when it
ends, with a per-buyer purchase limit (限购件数)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from shop.models import Product, Sku, Store, scoped_manager


class FlashSale(TimeStampedModel):
    """A flash sale (秒杀) of one listed own product of the store."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="flash_sales")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="flash_sales")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.SCHEDULED, db_index=True)
    # Clocks: the start and the end, stored when the sale is created (the end moves to
    # the moment a merchant ends it early).
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    per_buyer_limit = models.PositiveIntegerField(_("purchase limit per buyer"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("flash sale")
        verbose_name_plural = _("flash sales")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            # the start sweep, and the buyers' list (running, then upcoming, by start)
            models.Index(fields=["status", "starts_at", "id"], name="flash_sale_status_start"),
            # the end sweep
            models.Index(fields=["status", "ends_at"], name="flash_sale_status_end"),
            # the merchant's list, newest start first
            models.Index(fields=["store", "-starts_at", "-id"], name="flash_sale_store_start"),
            # overlap checks on a product
            models.Index(fields=["product", "status"], name="flash_sale_product_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="flash_sale_ends_after_start"),
            models.CheckConstraint(condition=Q(per_buyer_limit__gte=1),
                                   name="flash_sale_limit_positive"),
        ]

    def __str__(self):
        return f"{self.product} @ {self.starts_at:%Y-%m-%d %H:%M}"


class FlashSaleItem(models.Model):
    """One SKU of a flash sale. `requested_stock` is what the merchant asked for; `stock`
    is what was actually moved out of the SKU when the sale started. A purchase adds to
    `sold`; what is returned to the SKU (the unsold rest at the end, and units given back
    after it) adds to `returned`. Left to sell: stock − sold − returned."""

    sale = models.ForeignKey(FlashSale, verbose_name=_("flash sale"), on_delete=models.CASCADE,
                             related_name="items")
    sku = models.ForeignKey(Sku, verbose_name=_("SKU"), on_delete=models.PROTECT,
                            related_name="flash_sale_items")
    flash_price = MoneyField(_("flash price"))
    regular_price = MoneyField(_("regular price"))
    requested_stock = models.PositiveIntegerField(_("flash stock asked for"))
    stock = models.PositiveIntegerField(_("flash stock"), default=0)
    sold = models.PositiveIntegerField(_("sold"), default=0)
    returned = models.PositiveIntegerField(_("returned to the SKU"), default=0)

    class Meta:
        verbose_name = _("flash sale SKU")
        verbose_name_plural = _("flash sale SKUs")
        ordering = ["pk"]
        indexes = [models.Index(fields=["sku", "sale"], name="flash_item_sku_sale")]
        constraints = [
            models.UniqueConstraint(fields=["sale", "sku"], name="flash_item_one_per_sku"),
            models.CheckConstraint(condition=Q(flash_price__gt=0),
                                   name="flash_item_price_positive"),
            models.CheckConstraint(condition=Q(flash_price__lt=F("regular_price")),
                                   name="flash_item_price_below_regular"),
            models.CheckConstraint(condition=Q(requested_stock__gte=1),
                                   name="flash_item_requested_positive"),
            models.CheckConstraint(condition=Q(stock__lte=F("requested_stock")),
                                   name="flash_item_stock_at_most_requested"),
            models.CheckConstraint(condition=Q(sold__lte=F("stock")),
                                   name="flash_item_sold_within_stock"),
            models.CheckConstraint(condition=Q(sold__lte=F("stock") - F("returned")),
                                   name="flash_item_sold_and_returned_within_stock"),
        ]

    def __str__(self):
        return f"{self.sale_id}/{self.sku_id}"

    @property
    def remaining(self) -> int:
        return max(self.stock - self.sold - self.returned, 0)


class FlashSaleBuyer(models.Model):
    """How many units of a flash sale one buyer holds in live orders. `allowed` is the
    sale's per-buyer limit, copied so the database itself refuses more."""

    sale = models.ForeignKey(FlashSale, verbose_name=_("flash sale"), on_delete=models.CASCADE,
                             related_name="buyers")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("buyer"),
                              on_delete=models.PROTECT, related_name="+")
    bought = models.PositiveIntegerField(_("bought"), default=0)
    allowed = models.PositiveIntegerField(_("purchase limit"))

    class Meta:
        verbose_name = _("flash sale buyer")
        verbose_name_plural = _("flash sale buyers")
        constraints = [
            models.UniqueConstraint(fields=["sale", "buyer"], name="flash_buyer_one_per_sale"),
            models.CheckConstraint(condition=Q(bought__lte=F("allowed")),
                                   name="flash_buyer_within_limit"),
        ]

    def __str__(self):
        return f"{self.sale_id}/{self.buyer_id}: {self.bought}/{self.allowed}"


class FlashSaleEvent(EventBase):
    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="events",
                             verbose_name=_("flash sale"))

    class Meta(EventBase.Meta):
        verbose_name = _("flash sale event")
        verbose_name_plural = _("flash sale events")

    @property
    def from_status_label(self):
        return dict(FlashSale.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(FlashSale.Status.choices).get(self.to_status, self.to_status)
