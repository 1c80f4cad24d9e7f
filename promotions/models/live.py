"""Live sessions (直播) with their shopping cart (小黄车), short videos (短视频) with the
products linked to them, and where an order came from (one of them)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from shop.models import scoped_manager


class LiveSession(models.Model):
    """A store's live stream (直播)."""

    class Status(models.TextChoices):
        LIVE = "live", _("Live")
        ENDED = "ended", _("Ended")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="live_sessions")
    title = models.CharField(_("title"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.LIVE, db_index=True)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # 本场直播我要卖货: viewers see the cart only while this is on.
    cart_enabled = models.BooleanField(_("sell in this session"), default=False)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["store", "-started_at"], name="live_store_started"),
                   models.Index(fields=["status", "-started_at"], name="live_status_started")]
        constraints = [
            # A store streams one session at a time.
            models.UniqueConstraint(fields=["store"], condition=Q(status="live"),
                                    name="live_one_per_store"),
        ]

    def __str__(self):
        return self.title or f"#{self.pk}"


class LiveSessionEvent(EventBase):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("live session event")
        verbose_name_plural = _("live session events")


class LiveCartItem(models.Model):
    """A product in a live session's shopping cart (小黄车); at most one is being presented
    (讲解中)."""

    session = models.ForeignKey(LiveSession, verbose_name=_("live session"),
                                on_delete=models.CASCADE, related_name="cart_items")
    product = models.ForeignKey("shop.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"))
    presenting = models.BooleanField(_("being presented"), default=False)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("cart product")
        verbose_name_plural = _("cart products")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["session", "position"], name="live_cart_position")]
        constraints = [
            models.UniqueConstraint(fields=["session", "product"], name="live_cart_product_once"),
            models.UniqueConstraint(fields=["session"], condition=Q(presenting=True),
                                    name="live_cart_one_presenting"),
        ]

    def __str__(self):
        return f"{self.session_id} · {self.product_id}"


class ShortVideo(TimeStampedModel):
    """A store's short video (短视频), linked to its products (关联我的商品)."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        REMOVED = "removed", _("Removed")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="short_videos")
    title = models.CharField(_("title"), max_length=60)
    cover = models.ImageField(_("cover image"), upload_to="public/videos/%Y/%m/")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.PUBLISHED, db_index=True)
    published_at = models.DateTimeField(_("published at"), default=timezone.now)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    products = models.ManyToManyField("shop.Product", verbose_name=_("linked products"),
                                      through="ShortVideoProduct", related_name="+")

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("short video")
        verbose_name_plural = _("short videos")
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["store", "-published_at"], name="video_store_published"),
            models.Index(fields=["store", "status", "-published_at"], name="video_store_status"),
        ]

    def __str__(self):
        return self.title


class ShortVideoProduct(models.Model):
    video = models.ForeignKey(ShortVideo, on_delete=models.CASCADE, related_name="links")
    product = models.ForeignKey("shop.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        verbose_name = _("linked product")
        verbose_name_plural = _("linked products")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["video", "position"], name="video_link_position")]
        constraints = [
            models.UniqueConstraint(fields=["video", "product"], name="video_product_once"),
        ]

    def __str__(self):
        return f"{self.video_id} · {self.product_id}"


class ShortVideoEvent(EventBase):
    video = models.ForeignKey(ShortVideo, on_delete=models.CASCADE, related_name="events")

    class Meta(EventBase.Meta):
        verbose_name = _("short video event")
        verbose_name_plural = _("short video events")


class OrderSource(models.Model):
    """Where an order was placed from (订单来源): a live session's cart or a short video."""

    order = models.OneToOneField("shop.Order", verbose_name=_("order"),
                                 on_delete=models.CASCADE, related_name="+")
    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="+")
    session = models.ForeignKey(LiveSession, verbose_name=_("live session"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="sources")
    video = models.ForeignKey(ShortVideo, verbose_name=_("short video"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="sources")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("order source")
        verbose_name_plural = _("order sources")
        indexes = [
            models.Index(fields=["session", "-order"], name="source_session_order"),
            models.Index(fields=["video", "-order"], name="source_video_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(session__isnull=False, video__isnull=True)
                           | Q(session__isnull=True, video__isnull=False)),
                name="source_one_of_session_or_video"),
        ]

    def __str__(self):
        return f"{self.order_id}"
