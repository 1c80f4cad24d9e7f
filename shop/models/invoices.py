"""Invoices (发票) the merchant issues for an order at the buyer's request."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase
from common.money import MoneyField
from shop.models.base import scoped_manager
from shop.models.orders import Order
from shop.models.stores import Store


class Invoice(models.Model):
    """An invoice (发票) requested by the buyer of an order, issued by the merchant for the
    amount actually paid; a red-letter correction (红冲) when a refund follows. The file
    (the e-invoice PDF) is private: served only through views that check who asks."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested, to issue")
        ISSUED = "issued", _("Issued")
        CORRECTION_NEEDED = "correction_needed", _("Red-letter correction needed")
        CORRECTED = "corrected", _("Corrected (red-letter invoice, nothing left to invoice)")
        REISSUED = "reissued", _("Corrected and reissued")
        NOT_NEEDED = "not_needed", _("Not needed (refunded in full)")

    order = models.OneToOneField(Order, verbose_name=_("order"), on_delete=models.PROTECT,
                                 related_name="invoice")
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="invoices")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("buyer"),
                              on_delete=models.PROTECT, related_name="invoices")
    title = models.CharField(_("invoice title"), max_length=120)
    tax_number = models.CharField(_("taxpayer number"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.REQUESTED, db_index=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    amount = MoneyField(_("invoiced amount"), default=0)
    number = models.CharField(_("invoice number"), max_length=20, blank=True)
    file = models.FileField(_("e-invoice file"), upload_to="private/invoices/%Y/%m/",
                            blank=True)
    content_type = models.CharField(_("content type"), max_length=60, blank=True)
    original_name = models.CharField(_("original file name"), max_length=100, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("issued by"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    correction_needed_at = models.DateTimeField(_("correction needed since"), null=True,
                                                blank=True)
    red_letter_number = models.CharField(_("red-letter invoice number"), max_length=20,
                                         blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-requested_at", "-id"]
        indexes = [
            # the merchant's list (newest request first), whole or by status
            models.Index(fields=["store", "-requested_at", "-id"], name="shop_invoice_store_new"),
            models.Index(fields=["store", "status", "-requested_at", "-id"],
                         name="shop_invoice_store_status"),
            models.Index(fields=["buyer", "-requested_at", "-id"], name="shop_invoice_buyer"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.order} · {self.title}"

    @property
    def has_file(self) -> bool:
        return bool(self.file)


class InvoiceEvent(EventBase):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("invoice"))

    class Meta(EventBase.Meta):
        verbose_name = _("invoice event")
        verbose_name_plural = _("invoice events")
