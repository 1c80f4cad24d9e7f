"""Coupons (优惠券): what a store offers, what each buyer claimed, and the counters the
database keeps so that no more are claimed than the quantity, nor more per buyer than the
limit, and no claim is used twice."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from shop.models import scoped_manager


class Coupon(TimeStampedModel):
    """A store coupon (店铺优惠券): threshold (满X减Y) or no-threshold (立减)."""

    class Kind(models.TextChoices):
        THRESHOLD = "threshold", _("Spend-and-save (满减)")
        NO_THRESHOLD = "no_threshold", _("No-threshold discount (立减)")

    class Scope(models.TextChoices):
        STORE = "store", _("Whole store")
        PRODUCTS = "products", _("Chosen products")

    class Channel(models.TextChoices):
        STORE_PAGE = "store_page", _("Store page")
        PRODUCT_PAGE = "product_page", _("Product page")
        LIVE_DROP = "live_drop", _("Live-room drop (直播间发券)")

    class Validity(models.TextChoices):
        FIXED = "fixed", _("Fixed dates")
        AFTER_CLAIM = "after_claim", _("Days after claiming")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        STOPPED = "stopped", _("Stopped")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="coupons")
    title = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    amount = MoneyField(_("discount amount"))
    threshold = MoneyField(_("spend at least"), default=0)
    scope = models.CharField(_("applies to"), max_length=16, choices=Scope.choices,
                             default=Scope.STORE)
    products = models.ManyToManyField("shop.Product", verbose_name=_("products"), blank=True,
                                      related_name="coupons")
    quantity = models.PositiveIntegerField(_("total quantity"))
    claimed = models.PositiveIntegerField(_("claimed"), default=0)
    per_buyer_limit = models.PositiveIntegerField(_("per-buyer claim limit"))
    claim_starts_at = models.DateTimeField(_("claiming opens"))
    claim_ends_at = models.DateTimeField(_("claiming closes"))
    validity = models.CharField(_("validity"), max_length=16, choices=Validity.choices)
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveIntegerField(_("valid for (days after claiming)"), null=True,
                                             blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices,
                               default=Channel.STORE_PAGE)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.ACTIVE, db_index=True)
    stopped_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    # The live session it was last dropped in (channel live_drop); claimable while it is live.
    live_session = models.ForeignKey("promotions.LiveSession", verbose_name=_("dropped in"),
                                     null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="coupons")
    dropped_at = models.DateTimeField(_("dropped at"), null=True, blank=True)
    copied_from = models.ForeignKey("self", verbose_name=_("copied from"), null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["store", "-id"], name="coupon_store_newest"),
            models.Index(fields=["store", "status", "-id"], name="coupon_store_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(claimed__lte=F("quantity")),
                                   name="coupon_claimed_within_quantity"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="coupon_amount_positive"),
            models.CheckConstraint(
                condition=(Q(kind="threshold", threshold__gt=F("amount"))
                           | Q(kind="no_threshold", threshold=0)),
                name="coupon_threshold_above_amount"),
            models.CheckConstraint(condition=Q(per_buyer_limit__gte=1),
                                   name="coupon_per_buyer_limit_positive"),
            models.CheckConstraint(condition=Q(claim_ends_at__gt=F("claim_starts_at")),
                                   name="coupon_claim_window_ordered"),
            models.CheckConstraint(
                condition=(Q(validity="fixed", valid_from__isnull=False,
                             valid_until__gt=F("valid_from"))
                           | Q(validity="after_claim", valid_days__gte=1)),
                name="coupon_validity_complete"),
        ]

    def __str__(self):
        return self.title

    @property
    def remaining(self) -> int:
        return self.quantity - self.claimed


class CouponEvent(EventBase):
    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("coupon event")
        verbose_name_plural = _("coupon events")


class CouponBuyerCount(models.Model):
    """How many of a coupon one buyer has claimed; the CHECK keeps it within the limit the
    coupon had when the buyer first claimed it."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    claimed = models.PositiveIntegerField(default=0)
    limit = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coupon", "buyer"], name="coupon_count_one_per_buyer"),
            models.CheckConstraint(condition=Q(claimed__lte=F("limit")),
                                   name="coupon_count_within_limit"),
        ]

    def __str__(self):
        return f"{self.coupon_id} · {self.buyer_id}: {self.claimed}/{self.limit}"


class CouponClaim(models.Model):
    """A buyer's coupon (我的优惠券): unused → used by an order → unused again when that
    order is cancelled unpaid; unused → expired at `valid_until`."""

    class Status(models.TextChoices):
        UNUSED = "unused", _("Unused")
        USED = "used", _("Used")
        EXPIRED = "expired", _("Expired")

    coupon = models.ForeignKey(Coupon, verbose_name=_("coupon"), on_delete=models.PROTECT,
                               related_name="claims")
    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="+")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("buyer"),
                              on_delete=models.PROTECT, related_name="coupon_claims")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.UNUSED, db_index=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    order = models.ForeignKey("shop.Order", verbose_name=_("order"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("claimed coupon")
        verbose_name_plural = _("claimed coupons")
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["buyer", "-id"], name="claim_buyer_newest"),
            models.Index(fields=["buyer", "store", "status", "valid_until"],
                         name="claim_buyer_usable"),
            models.Index(fields=["status", "valid_until"], name="claim_status_expiry"),
        ]
        constraints = [
            # An order uses at most one store coupon; a used claim names its order.
            models.UniqueConstraint(fields=["order"], condition=Q(order__isnull=False),
                                    name="claim_one_per_order"),
            models.CheckConstraint(
                condition=Q(status="used", order__isnull=False)
                | (~Q(status="used") & Q(order__isnull=True)),
                name="claim_used_names_order"),
        ]

    def __str__(self):
        return f"{self.coupon} · {self.buyer_id}"


class CouponClaimEvent(EventBase):
    claim = models.ForeignKey(CouponClaim, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("claimed coupon event")
        verbose_name_plural = _("claimed coupon events")
