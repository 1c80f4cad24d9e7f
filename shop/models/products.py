"""Products, SKUs, revisions and their history."""


from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField
from shop.models.base import (
    scoped_manager,
)
from shop.models.stores import (
    Store,
)


# --- Products ---------------------------------------------------------------------------
class Product(TimeStampedModel):
    """A product: own (快手商品, sold here with SKUs) or other-platform (其他平台商品, a link
    out). The fields hold the draft or the listed version; a change to a listed product is
    a ProductRevision until approved."""

    class Kind(models.TextChoices):
        OWN = "own", _("Own product")
        OTHER_PLATFORM = "other_platform", _("Other-platform product")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        LISTED = "listed", _("Listed")
        REJECTED = "rejected", _("Rejected")
        DELISTED = "delisted", _("Delisted")

    class DelistedCause(models.TextChoices):
        """Who or what took a listed product off sale; relisting is decided on it."""

        MERCHANT = "merchant", _("Delisted by the merchant")
        REVIEWER = "reviewer", _("Delisted by a reviewer")
        QUALIFICATION_EXPIRED = "qualification_expired", _("A required qualification expired")

    class Platform(models.TextChoices):
        TMALL = "tmall", _("Tmall")
        PINDUODUO = "pinduoduo", _("Pinduoduo")
        JD = "jd", _("JD")
        YOUZAN = "youzan", _("Youzan")
        MOKUAI = "mokuai", _("Mokuai")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="products"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OWN)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title = models.CharField(_("title"), max_length=120)
    category = models.ForeignKey(
        "compliance.Category", verbose_name=_("category"), on_delete=models.PROTECT,
        related_name="products", null=True, blank=True,
    )
    description = models.TextField(_("description"), blank=True)
    gifts = models.CharField(_("gifts"), max_length=200, blank=True)
    gift_value = MoneyField(_("gift marked value"), null=True, blank=True)
    supports_seven_day_return = models.BooleanField(_("supports 7-day no-reason return"), default=True)
    free_shipping = models.BooleanField(_("free shipping"), default=True)
    shipping_fee = MoneyField(_("shipping fee"), default=0)
    food_label = models.JSONField(_("food label"), default=dict, blank=True)
    # Other-platform products
    platform = models.CharField(_("platform"), max_length=16, choices=Platform.choices, blank=True)
    external_url = models.URLField(_("product link"), max_length=500, blank=True)
    external_item_id = models.CharField(_("item id"), max_length=64, blank=True)
    external_token = models.CharField(_("share token"), max_length=64, blank=True)
    external_price = MoneyField(_("price on the other platform"), null=True, blank=True)
    image = models.ImageField(_("main image"), upload_to="public/products/%Y/%m/", blank=True)
    image_caption = models.CharField(_("image caption"), max_length=200, blank=True)
    listed_at = models.DateTimeField(_("listed at"), null=True, blank=True)
    delisted_reason = models.CharField(_("delisting reason"), max_length=200, blank=True)
    delisted_cause = models.CharField(
        _("delisting cause"), max_length=32, choices=DelistedCause.choices, blank=True,
        default="",
    )

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"]),
            # The buyers' catalogue across stores, newest first.
            models.Index(fields=["status", "-created_at"], name="product_status_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(shipping_fee__gte=0), name="product_shipping_fee_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(external_price__isnull=True) | Q(external_price__gt=0),
                name="product_external_price_positive",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_own(self):
        return self.kind == self.Kind.OWN


class Sku(models.Model):
    """A purchasable variant of an own product: spec attributes, price and stock."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="skus"
    )
    attributes = models.JSONField(_("spec attributes"), default=dict)
    attributes_key = models.CharField(max_length=200, editable=False)
    price = MoneyField(_("price"))
    stock = models.PositiveIntegerField(_("stock"), default=0)
    code = models.CharField(_("SKU code"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = scoped_manager("product__store__merchant")

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="sku_price_positive"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="sku_stock_not_negative"),
            models.UniqueConstraint(
                fields=["product", "attributes_key"], name="sku_unique_attributes_per_product"
            ),
        ]

    def __str__(self):
        return f"{self.product.title} {self.attributes_label}"

    @property
    def attributes_label(self):
        return " / ".join(f"{k}:{v}" for k, v in self.attributes.items()) or "—"


class ProductRevision(models.Model):
    """A version of a listing submitted for review (商品初审): the snapshot the reviewer
    judges. For a listed product it is the change, while the listed version stays on sale."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("revision"))
    is_change = models.BooleanField(_("change to a listed product"), default=False)
    payload = models.JSONField(_("listing"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    screening_hits = models.JSONField(_("screening hits"), default=list, blank=True)
    has_hits = models.BooleanField(_("has screening hits"), default=False, db_index=True)

    objects = scoped_manager("product__store__merchant")

    class Meta:
        verbose_name = _("product revision")
        verbose_name_plural = _("product revisions")
        ordering = ["-number"]
        indexes = [models.Index(fields=["status", "submitted_at"])]
        constraints = [
            models.UniqueConstraint(fields=["product", "number"], name="uniq_revision_number"),
            models.UniqueConstraint(
                fields=["product"],
                condition=Q(status__in=["draft", "in_review"]),
                name="one_open_revision_per_product",
            ),
        ]

    def __str__(self):
        return f"{self.product} #{self.number}"


class ProductEvent(EventBase):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="events", verbose_name=_("product")
    )

    class Meta(EventBase.Meta):
        verbose_name = _("product event")
        verbose_name_plural = _("product events")

    @property
    def revision_id(self):
        """The revision whose move this row records (its from/to are the revision's
        statuses), or None for a move of the product itself."""
        return (self.data or {}).get("revision_id")

    @property
    def status_choices(self):
        status = Product.Status if self.revision_id is None else ProductRevision.Status
        return dict(status.choices)

    @property
    def from_status_label(self):
        return self.status_choices.get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return self.status_choices.get(self.to_status, self.to_status)


