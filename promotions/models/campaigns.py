"""Platform campaigns (营销活动): dated events the platform runs (年货节, 靠谱好货节, 国货品牌日,
11.6 购物狂欢节). Reviewers create them with their requirements; merchants sign products up
(提报) with a campaign price per SKU; reviewers accept or reject; accepted products carry the
campaign badge and price while the campaign runs (its start and end are clocks)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from shop.models import Product, Sku, Store, scoped_manager


class Campaign(TimeStampedModel):
    """A platform campaign (营销活动) with its sign-up requirements."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=60)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    banner = models.ImageField(_("banner"), upload_to="public/campaigns/%Y/%m/", blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.SCHEDULED, db_index=True)
    # Clocks: the start and the end, stored when the campaign is created.
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Requirements a sign-up must meet (empty: not required).
    categories = models.ManyToManyField(
        "compliance.Category", verbose_name=_("eligible categories"), blank=True,
        related_name="+",
        help_text=_("Products in these categories or below them may be signed up. None: "
                    "every category."))
    min_dsr = models.DecimalField(
        _("minimum DSR"), max_digits=3, decimal_places=2, null=True, blank=True,
        help_text=_("Each DSR score of the store (description, service, logistics) must be "
                    "at least this. Empty: no DSR requirement."))
    max_price_percent = models.PositiveSmallIntegerField(
        _("campaign price at most (percent of the regular price)"), null=True, blank=True,
        help_text=_("For example 90: every campaign price at most 90 percent of the SKU's "
                    "regular price (at least 10 percent off). Empty: only below the regular "
                    "price."))
    require_no_restriction = models.BooleanField(
        _("no campaign restriction"), default=True,
        help_text=_("Refuse stores restricted from campaign sign-ups (credit-score node or "
                    "market-management measure)."))
    require_deposit_paid = models.BooleanField(
        _("deposit paid"), default=True,
        help_text=_("Refuse stores whose deposit is not fully paid."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    class Meta:
        verbose_name = _("platform campaign")
        verbose_name_plural = _("platform campaigns")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            # the start sweep, and the merchants' list of upcoming campaigns
            models.Index(fields=["status", "starts_at", "id"], name="campaign_status_start"),
            # the end sweep
            models.Index(fields=["status", "ends_at"], name="campaign_status_end"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")),
                                   name="campaign_ends_after_start"),
            models.CheckConstraint(
                condition=Q(max_price_percent__isnull=True)
                | Q(max_price_percent__gte=1, max_price_percent__lte=99),
                name="campaign_price_percent_range"),
            models.CheckConstraint(
                condition=Q(min_dsr__isnull=True) | Q(min_dsr__gte=0, min_dsr__lte=5),
                name="campaign_min_dsr_range"),
        ]

    def __str__(self):
        return self.name


class CampaignEvent(EventBase):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events",
                                 verbose_name=_("platform campaign"))

    class Meta(EventBase.Meta):
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")


class CampaignEntry(TimeStampedModel):
    """A product signed up for a campaign (活动提报) by its store."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Not reviewed in time")

    campaign = models.ForeignKey(Campaign, verbose_name=_("platform campaign"),
                                 on_delete=models.PROTECT, related_name="entries")
    store = models.ForeignKey(Store, verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="campaign_entries")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="campaign_entries")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("campaign sign-up")
        verbose_name_plural = _("campaign sign-ups")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # the review queue (waiting, oldest first) and the reviewers' filters
            models.Index(fields=["status", "created_at", "id"], name="campaign_entry_queue"),
            # the merchant's list, newest first
            models.Index(fields=["store", "-created_at", "-id"], name="campaign_entry_store"),
            # a campaign's entries by status (pricing, buyers' lists, the end clock)
            models.Index(fields=["campaign", "status"], name="campaign_entry_campaign"),
        ]
        constraints = [
            # A product is in a campaign once at a time (a rejected one may come again).
            models.UniqueConstraint(fields=["campaign", "product"],
                                    condition=Q(status__in=["pending", "accepted"]),
                                    name="campaign_entry_one_live_per_product"),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.product}"


class CampaignEntryItem(models.Model):
    """One SKU of a sign-up with its campaign price (活动价); the regular price as it was."""

    entry = models.ForeignKey(CampaignEntry, verbose_name=_("campaign sign-up"),
                              on_delete=models.CASCADE, related_name="items")
    sku = models.ForeignKey(Sku, verbose_name=_("SKU"), on_delete=models.PROTECT,
                            related_name="campaign_items")
    campaign_price = MoneyField(_("campaign price"))
    regular_price = MoneyField(_("regular price"))

    class Meta:
        verbose_name = _("campaign SKU")
        verbose_name_plural = _("campaign SKUs")
        ordering = ["pk"]
        indexes = [models.Index(fields=["sku", "entry"], name="campaign_item_sku_entry")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "sku"], name="campaign_item_one_per_sku"),
            models.CheckConstraint(condition=Q(campaign_price__gt=0),
                                   name="campaign_item_price_positive"),
            models.CheckConstraint(condition=Q(campaign_price__lt=F("regular_price")),
                                   name="campaign_item_price_below_regular"),
        ]

    def __str__(self):
        return f"{self.entry_id}/{self.sku_id}"


class CampaignEntryEvent(EventBase):
    entry = models.ForeignKey(CampaignEntry, on_delete=models.CASCADE, related_name="events",
                              verbose_name=_("campaign sign-up"))

    class Meta(EventBase.Meta):
        verbose_name = _("campaign sign-up event")
        verbose_name_plural = _("campaign sign-up events")
