"""Lightning purchase (闪电购): a store's switch, and the quick listings made during a live
session — each a real product of the store, put in the session's shopping cart."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase
from common.money import MoneyField
from shop.models import scoped_manager


class LightningStore(models.Model):
    """A store's lightning purchase switch (开通闪电购): on only while the store meets the
    conditions (checked when it is turned on, and again at every listing)."""

    class Status(models.TextChoices):
        OFF = "off", _("Off")
        ON = "on", _("On")

    store = models.OneToOneField("shop.Store", verbose_name=_("store"),
                                 on_delete=models.PROTECT, related_name="lightning")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices,
                              default=Status.OFF, db_index=True)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("lightning purchase switch")
        verbose_name_plural = _("lightning purchase switches")

    def __str__(self):
        return f"{self.store_id} · {self.status}"


class LightningStoreEvent(EventBase):
    switch = models.ForeignKey(LightningStore, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("lightning purchase switch event")
        verbose_name_plural = _("lightning purchase switch events")


class LightningListing(models.Model):
    """A quick listing (闪电购商品) made during a live session: a photo, a category, a price
    and a stock. Its product is listed at once when the screening finds nothing, otherwise
    it waits in the product review queue (the cart shows viewers only listed products).
    Reviewers may spot-check any of them later."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        TAKEN_DOWN = "taken_down", _("Taken down")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="lightning_listings")
    session = models.ForeignKey("promotions.LiveSession", verbose_name=_("live session"),
                                on_delete=models.PROTECT, related_name="lightning_listings")
    product = models.OneToOneField("shop.Product", verbose_name=_("product"),
                                   on_delete=models.PROTECT, related_name="+")
    sku = models.ForeignKey("shop.Sku", verbose_name=_("SKU"), on_delete=models.PROTECT,
                            related_name="+")
    category = models.ForeignKey("compliance.Category", verbose_name=_("category"),
                                 on_delete=models.PROTECT, related_name="+")
    price = MoneyField(_("price"))
    stock = models.PositiveIntegerField(_("stock at listing"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.ACTIVE, db_index=True)
    # The automatic screening found something: the product went to the review queue.
    screening_hit = models.BooleanField(_("sent to review by the screening"), default=False)
    created_at = models.DateTimeField(_("listed at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    spot_checked_at = models.DateTimeField(_("spot-checked at"), null=True, blank=True)
    spot_checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("spot-checked by"),
                                        null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("lightning listing")
        verbose_name_plural = _("lightning listings")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "-created_at", "-id"], name="lightning_store_created"),
            models.Index(fields=["session", "-created_at"], name="lightning_session_created"),
            models.Index(fields=["status", "-created_at"], name="lightning_status_created"),
            # the reviewers' spot-check list: what nobody has checked yet, newest first
            models.Index(fields=["-created_at"], condition=Q(spot_checked_at__isnull=True),
                         name="lightning_unchecked"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="lightning_price_positive"),
            models.CheckConstraint(condition=Q(stock__gt=0), name="lightning_stock_positive"),
        ]

    def __str__(self):
        return f"#{self.pk}"


class LightningListingEvent(EventBase):
    listing = models.ForeignKey(LightningListing, on_delete=models.CASCADE,
                                related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("lightning listing event")
        verbose_name_plural = _("lightning listing events")
