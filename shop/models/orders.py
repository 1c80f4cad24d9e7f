"""Orders, their lines, history and courier tracking."""


from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from shop.models.base import (
    scoped_manager,
)
from shop.models.products import (
    Product,
    Sku,
)
from shop.models.stores import (
    Store,
)


# --- Orders -----------------------------------------------------------------------------
class Order(TimeStampedModel):
    """A buyer's order of SKUs from one store."""

    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")
        PAID = "paid", _("Paid, to ship")
        SHIPPED = "shipped", _("Shipped")
        SIGNED = "signed", _("Delivered")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        CLOSED = "closed", _("Closed (refunded)")

    number = models.CharField(_("order number"), max_length=32, unique=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("buyer"), on_delete=models.PROTECT,
        related_name="orders",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT,
        db_index=True,
    )
    goods_amount = MoneyField(_("goods amount"))
    shipping_fee = MoneyField(_("shipping fee"), default=0)
    discount_amount = MoneyField(_("discount"), default=0)
    total_amount = MoneyField(_("amount to pay"))
    paid_amount = MoneyField(_("amount paid"), default=0)
    refunded_amount = MoneyField(_("amount refunded"), default=0)
    # What the promotions applied (shop.order_extensions), e.g. the coupon used.
    promotion = models.JSONField(_("promotion"), default=dict, blank=True)
    address = models.JSONField(_("shipping address"))
    invoice_title = models.CharField(_("invoice title"), max_length=120, blank=True)
    invoice_tax_number = models.CharField(_("taxpayer number"), max_length=20, blank=True)
    # Clocks: stored when the state is entered.
    pay_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    pickup_by = models.DateTimeField(_("courier pickup by"), null=True, blank=True)
    complete_by = models.DateTimeField(_("completes automatically at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True, db_index=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    shipped_late = models.BooleanField(_("shipping deadline missed"), default=False)
    pickup_late = models.BooleanField(_("pickup deadline missed"), default=False)
    courier = models.CharField(_("courier"), max_length=40, blank=True)
    waybill_number = models.CharField(_("waybill number"), max_length=40, blank=True)
    tracking_status = models.CharField(_("tracking status"), max_length=20, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=60, blank=True)
    signed_in_locker = models.BooleanField(_("signed at a parcel locker"), default=False)
    buyer_note = models.CharField(_("buyer note"), max_length=200, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"]),
            # the merchant's order list: all orders newest first, and those to ship by clock
            models.Index(fields=["store", "-created_at", "-id"], name="shop_order_store_newest"),
            models.Index(fields=["store", "status", "ship_by", "id"], name="shop_order_store_to_ship"),
            # Sales at a glance: the store's orders paid in a range of days.
            models.Index(fields=["store", "paid_at"], name="shop_order_store_paid"),
            models.Index(fields=["buyer", "-created_at"]),
            # the review back office's order list filtered by status, newest first
            models.Index(fields=["status", "-created_at", "-id"], name="shop_order_status_newest"),
            models.Index(fields=["status", "pay_by"]),
            models.Index(fields=["status", "ship_by"]),
            models.Index(fields=["status", "pickup_by"]),
            models.Index(fields=["status", "complete_by"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_not_negative"),
            # The courier webhook finds the order by its waybill: one order per waybill.
            models.UniqueConstraint(
                fields=["courier", "waybill_number"],
                condition=~Q(waybill_number=""),
                name="order_unique_waybill",
            ),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("paid_amount")), name="order_refund_le_paid"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def payments(self):
        """Every payment filed under this order (paying, refunds, payouts), oldest first:
        payments knows no order, the order's money files them under its reference."""
        from payments.selectors import payments_for_reference

        return payments_for_reference(f"order:{self.pk}")

    @property
    def tracking_status_label(self):
        kinds = dict(TrackingEvent.Kind.choices)
        return kinds.get(self.tracking_status, self.tracking_status)


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    sku = models.ForeignKey(Sku, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=120)
    attributes = models.JSONField(_("spec attributes"), default=dict)
    unit_price = MoneyField(_("unit price"))
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = MoneyField(_("amount"))
    paid_amount = MoneyField(_("amount paid"), default=0)
    refunded_amount = MoneyField(_("amount refunded"), default=0)
    # The line's share of the order's discount (a coupon): it is paid amount − discount.
    discount_amount = MoneyField(_("discount"), default=0)
    # Empty: the line's units came from the SKU's stock. Otherwise the promotion that holds
    # them (a flash sale's own stock) takes and gives them back.
    stock_held_by = models.CharField(_("stock held by"), max_length=24, blank=True)
    promotion = models.JSONField(_("promotion"), default=dict, blank=True)
    gifts = models.CharField(_("gifts"), max_length=200, blank=True)
    supports_seven_day_return = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__lte=F("paid_amount")), name="line_refund_le_paid"
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__gte=0, discount_amount__lte=F("amount")),
                name="line_discount_within_amount",
            ),
        ]

    def __str__(self):
        return f"{self.title} × {self.quantity}"


class OrderEvent(EventBase):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", verbose_name=_("order")
    )

    class Meta(EventBase.Meta):
        verbose_name = _("order event")
        verbose_name_plural = _("order events")

    @property
    def to_status_label(self):
        return dict(Order.Status.choices).get(self.to_status, self.to_status)


class TrackingEvent(models.Model):
    """Courier tracking (物流轨迹) received through the signed courier webhook."""

    class Kind(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        IN_TRANSIT = "in_transit", _("In transit")
        SIGNED = "signed", _("Signed")
        REFUSED = "refused", _("Refused")
        RETURNED = "returned", _("Returned to sender")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="tracking"
    )
    external_id = models.CharField(max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    at = models.DateTimeField(_("at"))
    description = models.CharField(_("description"), max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["at", "pk"]
        # The refused-parcel sweep reads returned events from a recent window.
        indexes = [models.Index(fields=["kind", "at"], name="shop_tracking_kind_at")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


