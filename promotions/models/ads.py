"""Paid promotion (推广): a merchant buys exposure for a live session or a short video
(粉丝头条, or 小店作品推广 for a video with products). An order is reviewed before it runs;
its budget is charged from the store account when approved, results arrive from the
ad-delivery system in signed batches, and what was not spent is refunded when it ends."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from shop.models import scoped_manager


class PromotionOrder(TimeStampedModel):
    """A paid promotion order (推广订单)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        RUNNING = "running", _("Running")
        ENDED = "ended", _("Ended")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        FANS_HEADLINE = "fans_headline", _("Fans headline (粉丝头条)")
        SHOP_WORK = "shop_work", _("Shop work promotion (小店作品推广)")

    class Goal(models.TextChoices):
        FANS = "fans", _("New fans")
        PLAYS = "plays", _("Plays")
        CLICKS = "clicks", _("Product clicks")

    class Gender(models.TextChoices):
        ANY = "any", _("Any")
        FEMALE = "female", _("Women")
        MALE = "male", _("Men")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="promotion_orders")
    session = models.ForeignKey("promotions.LiveSession", verbose_name=_("live session"),
                                null=True, blank=True, on_delete=models.PROTECT,
                                related_name="promotion_orders")
    video = models.ForeignKey("promotions.ShortVideo", verbose_name=_("short video"),
                              null=True, blank=True, on_delete=models.PROTECT,
                              related_name="promotion_orders")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    goal = models.CharField(_("goal"), max_length=16, choices=Goal.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    # Targeting (定向): empty lists mean everyone.
    target_gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices,
                                     default=Gender.ANY)
    target_ages = models.JSONField(_("age bands"), default=list, blank=True)
    target_regions = models.JSONField(_("regions"), default=list, blank=True)
    duration_hours = models.PositiveIntegerField(_("duration (hours)"))
    # Promoting other-platform products needs the promotion deposit (推广保证金).
    promotes_other_platform = models.BooleanField(_("promotes other-platform products"),
                                                  default=False)
    # Money: `budget` is what was bought (the first budget plus every extension), `spent`
    # what the delivery system reported (never above the budget), `refunded` what went
    # back to the store account at the end.
    budget = MoneyField(_("budget"))
    spent = MoneyField(_("spent"), default=0)
    refunded = MoneyField(_("refunded"), default=0)
    exposures = models.PositiveBigIntegerField(_("exposures"), default=0)
    plays = models.PositiveBigIntegerField(_("plays"), default=0)
    new_fans = models.PositiveBigIntegerField(_("new fans"), default=0)
    clicks = models.PositiveBigIntegerField(_("product clicks"), default=0)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"),
                                 null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    # Clock: set when the order starts running, moved by an extension of time.
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("promotion order")
        verbose_name_plural = _("promotion orders")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "-created_at", "-id"], name="ad_order_store_created"),
            # the end sweep and the sandbox feed (running orders by their end)
            models.Index(fields=["status", "ends_at"], name="ad_order_status_end"),
            # the review queue, oldest first
            models.Index(fields=["status", "created_at"], name="ad_order_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(session__isnull=False, video__isnull=True)
                           | Q(session__isnull=True, video__isnull=False)),
                name="ad_order_one_subject"),
            models.CheckConstraint(condition=Q(budget__gt=0), name="ad_order_budget_positive"),
            models.CheckConstraint(condition=Q(spent__gte=0) & Q(spent__lte=F("budget")),
                                   name="ad_order_spent_within_budget"),
            models.CheckConstraint(condition=Q(refunded__gte=0)
                                   & Q(refunded__lte=F("budget") - F("spent")),
                                   name="ad_order_refund_within_unspent"),
            models.CheckConstraint(condition=Q(duration_hours__gte=1),
                                   name="ad_order_duration_positive"),
        ]

    def __str__(self):
        return f"#{self.pk}"

    @property
    def subject(self):
        return self.session if self.session_id else self.video

    @property
    def unspent(self):
        return self.budget - self.spent


class PromotionOrderEvent(EventBase):
    order = models.ForeignKey(PromotionOrder, on_delete=models.CASCADE, related_name="events",
                              verbose_name=_("promotion order"))

    class Meta(EventBase.Meta):
        verbose_name = _("promotion order event")
        verbose_name_plural = _("promotion order events")


class PromotionExtension(models.Model):
    """An extension (追投) of a running order: more budget (charged at once) and/or time."""

    order = models.ForeignKey(PromotionOrder, verbose_name=_("promotion order"),
                              on_delete=models.PROTECT, related_name="extensions")
    added_budget = MoneyField(_("added budget"), default=0)
    added_hours = models.PositiveIntegerField(_("added hours"), default=0)
    token = models.CharField(max_length=64)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"),
                              on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("promotion extension")
        verbose_name_plural = _("promotion extensions")
        ordering = ["at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "token"], name="ad_extension_once"),
            models.CheckConstraint(condition=Q(added_budget__gte=0),
                                   name="ad_extension_budget_not_negative"),
            models.CheckConstraint(condition=Q(added_budget__gt=0) | Q(added_hours__gt=0),
                                   name="ad_extension_adds_something"),
        ]

    def __str__(self):
        return f"{self.order_id} +{self.added_budget} +{self.added_hours}h"


class PromotionResultBatch(models.Model):
    """One batch of results from the ad-delivery system, taken once (its id is unique)."""

    batch_id = models.CharField(_("batch id"), max_length=64, unique=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    sandbox = models.BooleanField(_("from the sandbox feed"), default=False)

    class Meta:
        verbose_name = _("promotion result batch")
        verbose_name_plural = _("promotion result batches")
        ordering = ["-received_at", "-pk"]

    def __str__(self):
        return self.batch_id


class PromotionResult(models.Model):
    """One order's figures in a batch. `spend` is what was reported; `spend_counted` what
    the order's budget still allowed (the cap)."""

    batch = models.ForeignKey(PromotionResultBatch, on_delete=models.CASCADE,
                              related_name="results", verbose_name=_("batch"))
    order = models.ForeignKey(PromotionOrder, on_delete=models.PROTECT, related_name="results",
                              verbose_name=_("promotion order"))
    exposures = models.PositiveBigIntegerField(_("exposures"), default=0)
    plays = models.PositiveBigIntegerField(_("plays"), default=0)
    new_fans = models.PositiveBigIntegerField(_("new fans"), default=0)
    clicks = models.PositiveBigIntegerField(_("product clicks"), default=0)
    spend = MoneyField(_("spend reported"), default=0)
    spend_counted = MoneyField(_("spend counted"), default=0)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("promotion result")
        verbose_name_plural = _("promotion results")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["order", "-at"], name="ad_result_order_at")]
        constraints = [
            models.UniqueConstraint(fields=["batch", "order"], name="ad_result_once_per_batch"),
            models.CheckConstraint(condition=Q(spend_counted__gte=0)
                                   & Q(spend_counted__lte=F("spend")),
                                   name="ad_result_counted_within_reported"),
        ]

    def __str__(self):
        return f"{self.batch_id}/{self.order_id}"
