from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, TimeStampedModel
from common.money import MoneyField


class MerchantScopedQuerySet(models.QuerySet):
    """`for_merchant(user)`: the only way merchant-facing code reads these rows. The
    subclass names the path from the model to the merchant user."""

    merchant_path = "store__merchant"

    def for_merchant(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(**{self.merchant_path: user})


def scoped_manager(path):
    qs_class = type("ScopedQuerySet", (MerchantScopedQuerySet,), {"merchant_path": path})
    return qs_class.as_manager()


# --- Onboarding -------------------------------------------------------------------------
class MerchantApplication(TimeStampedModel):
    """Application to open a store (开通小店): real-name verification and entity
    qualification (主体资质)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class EntityType(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        INDIVIDUAL = "individual", _("Individual business")

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applicant"), on_delete=models.PROTECT,
        related_name="merchant_applications",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    real_name = models.CharField(_("real name"), max_length=50)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    entity_type = models.CharField(_("entity type"), max_length=16, choices=EntityType.choices)
    licence_file = models.FileField(_("business licence"), upload_to="private/licences/%Y/%m/")
    licence_content_type = models.CharField(max_length=60, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18)
    registered_name = models.CharField(_("registered name"), max_length=120)
    business_scope = models.TextField(_("business scope"))
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    store_name = models.CharField(_("store name"), max_length=60)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    objects = scoped_manager("applicant")

    class Meta:
        verbose_name = _("store application")
        verbose_name_plural = _("store applications")
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.store_name} ({self.registered_name})"


class MerchantApplicationEvent(EventBase):
    application = models.ForeignKey(
        MerchantApplication, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("application"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    @property
    def from_status_label(self):
        return dict(MerchantApplication.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(MerchantApplication.Status.choices).get(self.to_status, self.to_status)


class RejectionReasonTemplate(models.Model):
    """Reviewer's canned reasons; the free text is added to them."""

    class Scope(models.TextChoices):
        APPLICATION = "application", _("Store application")
        PRODUCT = "product", _("Product")
        QUALIFICATION = "qualification", _("Qualification")

    scope = models.CharField(_("used for"), max_length=20, choices=Scope.choices, db_index=True)
    text = models.CharField(_("text"), max_length=200)

    class Meta:
        verbose_name = _("rejection reason template")
        verbose_name_plural = _("rejection reason templates")
        ordering = ["scope", "pk"]
        constraints = [models.UniqueConstraint(fields=["scope", "text"], name="uniq_reason_text")]

    def __str__(self):
        return self.text


# --- Stores -----------------------------------------------------------------------------
class Store(TimeStampedModel):
    """A merchant's store (快手小店)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")

    merchant = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("merchant"), on_delete=models.PROTECT,
        related_name="store",
    )
    application = models.OneToOneField(
        MerchantApplication, verbose_name=_("application"), on_delete=models.PROTECT,
        related_name="store",
    )
    name = models.CharField(_("store name"), max_length=60)
    slug = models.SlugField(_("address"), max_length=40, unique=True)
    logo = models.ImageField(_("logo"), upload_to="public/logos/", blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    profile_url = models.URLField(_("merchant profile link"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    industry_base = models.BooleanField(
        _("industry-belt base merchant"), default=False,
        help_text=_("Set by reviewers for merchants inside an industry-belt base (产业带基地)."),
    )
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)

    objects = scoped_manager("merchant")

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StoreEvent(EventBase):
    """A change of a store's status (opened, closing, open again, closed): its timeline."""

    store = models.ForeignKey(
        Store, on_delete=models.CASCADE, related_name="events", verbose_name=_("store")
    )

    class Meta(EventBase.Meta):
        verbose_name = _("store event")
        verbose_name_plural = _("store events")

    @property
    def from_status_label(self):
        return dict(Store.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(Store.Status.choices).get(self.to_status, self.to_status)

    def __str__(self):
        # The row's title in the admin timeline: the move, by its labels.
        return f"{self.from_status_label or '—'} → {self.to_status_label}"


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
            models.Index(fields=["buyer", "-created_at"]),
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


class StoreRating(models.Model):
    """DSR rating of one completed order: description, service, logistics (1–5)."""

    order = models.OneToOneField(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="rating"
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="ratings"
    )
    description = models.PositiveSmallIntegerField(_("description match"))
    service = models.PositiveSmallIntegerField(_("service attitude"))
    logistics = models.PositiveSmallIntegerField(_("logistics"))
    created_at = models.DateTimeField(_("rated at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("store rating")
        verbose_name_plural = _("store ratings")
        indexes = [models.Index(fields=["store", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(description__gte=1, description__lte=5)
                & Q(service__gte=1, service__lte=5)
                & Q(logistics__gte=1, logistics__lte=5),
                name="rating_between_1_and_5",
            )
        ]

    def __str__(self):
        return f"{self.order} {self.description}/{self.service}/{self.logistics}"


# --- Deposits, store account and closure -------------------------------------------------
class LedgerImmutableError(Exception):
    """A ledger entry was about to be changed or deleted: entries are append-only."""


class LedgerEntryQuerySet(MerchantScopedQuerySet):
    """Bulk updates and deletes are refused: a correction is a new entry."""

    def update(self, **kwargs):
        raise LedgerImmutableError("ledger entries are never updated")

    def delete(self):
        raise LedgerImmutableError("ledger entries are never deleted")


def ledger_manager(path):
    qs_class = type("ScopedLedgerQuerySet", (LedgerEntryQuerySet,), {"merchant_path": path})
    return models.Manager.from_queryset(qs_class)()


class LedgerEntryBase(models.Model):
    """One movement of money on an account. `amount` is signed (in > 0, out < 0) and
    `balance_after` is the account's balance once it is applied: the balance is always the
    sum of the entries. (cause_type, cause_id) names what caused it (an order, a refund
    payment, an after-sale request, a withdrawal, a closure …); the optional foreign keys
    link the common causes."""

    amount = MoneyField(_("amount"))
    balance_after = MoneyField(_("balance after"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    cause_type = models.CharField(_("cause"), max_length=24, blank=True)
    cause_id = models.CharField(_("cause id"), max_length=64, blank=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("payment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["-pk"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerImmutableError("ledger entries are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerImmutableError("ledger entries are never deleted")

    @property
    def actor_display(self):
        if self.actor_id is None:
            return _("System")
        return self.actor.get_username()

    @property
    def cause_display(self):
        """What caused the entry, for people: a label and the id where one helps."""
        label = LEDGER_CAUSE_LABELS.get(self.cause_type, self.cause_type)
        if not self.cause_id or self.cause_type in ("adjustment", "store_account"):
            return label
        return f"{label} #{self.cause_id}"


LEDGER_CAUSE_LABELS = {
    "payin": _("deposit payment"),
    "after_sale": _("after-sale request"),
    "violation": _("violation"),
    "order": _("order"),
    "payment": _("refund"),
    "withdrawal": _("withdrawal"),
    "closure": _("closure application"),
    "adjustment": _("manual adjustment"),
    "store_account": _("store account"),
    "deposit_entry": _("deposit entry"),
    "demo": _("demo"),
}


class DepositAccount(models.Model):
    """A store's deposit (保证金): the store deposit 店铺保证金 (own products) or the
    promotion deposit 推广保证金 (other-platform products). `balance` is the last entry's
    balance_after; the requirement and the restriction are stored by the evaluation
    service, so other apps read them instead of recomputing."""

    class Kind(models.TextChoices):
        STORE = "store", _("Store deposit")
        PROMOTION = "promotion", _("Promotion deposit")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="deposit_accounts"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    balance = MoneyField(_("balance"), default=0)
    required_amount = MoneyField(_("required amount"), default=0)
    required_lines = models.JSONField(_("how the requirement is made up"), default=list, blank=True)
    required_at = models.DateTimeField(_("requirement computed at"), null=True, blank=True)
    sales_month = models.DateField(_("sales month"), null=True, blank=True)
    sales_amount = MoneyField(_("sales of that month"), null=True, blank=True)
    # Clock: a shortfall does not restrict the store before the first payment is due.
    pay_by = models.DateTimeField(_("first payment due by"), null=True, blank=True, db_index=True)
    shortfall = MoneyField(_("shortfall"), default=0)
    restricted_since = models.DateTimeField(
        _("restricted since"), null=True, blank=True, db_index=True
    )
    closed_at = models.DateTimeField(_("refunded and closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("deposit account")
        verbose_name_plural = _("deposit accounts")
        ordering = ["store_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["store", "kind"], name="deposit_account_one_per_kind"),
            models.CheckConstraint(condition=Q(shortfall__gte=0), name="deposit_shortfall_not_negative"),
        ]

    def __str__(self):
        return f"{self.store} · {self.get_kind_display()}"


class DepositEntry(LedgerEntryBase):
    """One movement of a deposit (保证金流水). A deduction for the same cause happens once:
    (account, kind, cause_type, cause_id) is unique."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        TOP_UP = "top_up", _("Top-up")
        TRANSFER = "transfer", _("Transfer from the store account")
        DEDUCTION = "deduction", _("Deduction for compensation")
        REFUND = "refund", _("Refund on exit")
        # The refund payout failed at the provider: the money is back on the deposit.
        REFUND_RETURNED = "refund_returned", _("Refund returned (payout failed)")
        ADJUSTMENT = "adjustment", _("Manual adjustment")

    account = models.ForeignKey(
        DepositAccount, verbose_name=_("deposit account"), on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    requested_amount = MoneyField(_("amount asked for"), null=True, blank=True)
    uncovered = MoneyField(
        _("not covered by the deposit"), default=0,
        help_text=_("Part of a deduction the deposit could not cover."),
    )

    objects = ledger_manager("account__store__merchant")

    class Meta(LedgerEntryBase.Meta):
        verbose_name = _("deposit entry")
        verbose_name_plural = _("deposit entries")
        indexes = [
            models.Index(fields=["account", "-id"], name="deposit_entry_account_id"),
            models.Index(fields=["account", "at"], name="deposit_entry_account_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "cause_type", "cause_id"],
                condition=~Q(cause_id=""),
                name="deposit_entry_once_per_cause",
            ),
            models.CheckConstraint(
                condition=~Q(amount=0) | Q(uncovered__gt=0), name="deposit_entry_moves_money"
            ),
            models.CheckConstraint(condition=Q(uncovered__gte=0), name="deposit_uncovered_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def deducted(self):
        """What a deduction actually took from the deposit (a positive amount)."""
        return -self.amount if self.amount < 0 else self.amount


class StoreAccount(models.Model):
    """A store's account of sales proceeds (货款账户): settled orders minus the technical
    service fee, less refunds after settlement, withdrawals and transfers to the deposit."""

    store = models.OneToOneField(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="account"
    )
    balance = MoneyField(_("balance"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("store account")
        verbose_name_plural = _("store accounts")
        ordering = ["store_id"]

    def __str__(self):
        return str(self.store)

    @property
    def available(self):
        return self.balance if self.balance > 0 else Decimal("0.00")


class StoreAccountEntry(LedgerEntryBase):
    """One movement of the store account (货款流水)."""

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement", _("Order settled")
        REFUND = "refund", _("Refund after settlement")
        WITHDRAWAL = "withdrawal", _("Withdrawal")
        WITHDRAWAL_RETURNED = "withdrawal_returned", _("Withdrawal returned")
        DEPOSIT_TRANSFER = "deposit_transfer", _("Transfer to the deposit")
        # A refund debited after settlement failed at the provider: the debit is reversed.
        REFUND_REVERSED = "refund_reversed", _("Refund reversed (refund failed)")
        ADJUSTMENT = "adjustment", _("Manual adjustment")

    account = models.ForeignKey(
        StoreAccount, verbose_name=_("store account"), on_delete=models.PROTECT,
        related_name="entries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    objects = ledger_manager("account__store__merchant")

    class Meta(LedgerEntryBase.Meta):
        verbose_name = _("store account entry")
        verbose_name_plural = _("store account entries")
        indexes = [
            models.Index(fields=["account", "-id"], name="store_entry_account_id"),
            models.Index(fields=["account", "at"], name="store_entry_account_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "cause_type", "cause_id"],
                condition=~Q(cause_id=""),
                name="store_entry_once_per_cause",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="store_entry_moves_money"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"


class DepositPayIn(models.Model):
    """A merchant's payment into a deposit (缴纳/补缴保证金). The money moves as a payment
    with the purpose ``deposit.payin``; its settlement credits the deposit, once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        # The money arrived after the deposit was closed and was sent back.
        REFUNDED = "refunded", _("Refunded: the deposit was closed")

    account = models.ForeignKey(
        DepositAccount, verbose_name=_("deposit account"), on_delete=models.PROTECT,
        related_name="payins",
    )
    amount = MoneyField(_("amount"))
    payment = models.OneToOneField(
        "payments.Payment", verbose_name=_("payment"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    idempotency_key = models.CharField(max_length=80, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("paid by"), on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    objects = scoped_manager("account__store__merchant")

    class Meta:
        verbose_name = _("deposit payment")
        verbose_name_plural = _("deposit payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payin_amount_positive"),
        ]

    def __str__(self):
        return f"{self.account} {self.amount} ({self.get_status_display()})"

    @property
    def provider_ref(self) -> str:
        return self.payment.provider_ref if self.payment_id else ""


class DepositPayInEvent(EventBase):
    """A deposit pay-in started, or settled by the payment provider: its timeline."""

    payin = models.ForeignKey(
        DepositPayIn, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("deposit payment"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("deposit payment event")
        verbose_name_plural = _("deposit payment events")

    @property
    def from_status_label(self):
        return dict(DepositPayIn.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(DepositPayIn.Status.choices).get(self.to_status, self.to_status)

    def __str__(self):
        # The row's title in the admin timeline: the move, by its labels.
        return f"{self.from_status_label or '—'} → {self.to_status_label}"


class Withdrawal(models.Model):
    """A merchant's request to withdraw available balance (货款提现). The money leaves the
    store account when requested and comes back if the request is rejected or fails."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Awaiting review")
        # Approved; the provider has not confirmed the payout yet (the money stays held).
        PAYING = "paying", _("Being paid out")
        PAID = "paid", _("Paid out")
        REJECTED = "rejected", _("Rejected")
        FAILED = "failed", _("Payout failed")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="withdrawals"
    )
    amount = MoneyField(_("amount"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.REQUESTED,
        db_index=True,
    )
    token = models.CharField(max_length=64)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    automatic = models.BooleanField(_("paid automatically"), default=False)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    payment = models.ForeignKey(
        "payments.Payment", verbose_name=_("payout"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "requested_at"]),
            models.Index(fields=["store", "-requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="withdrawal_amount_positive"),
            models.UniqueConstraint(fields=["store", "token"], name="withdrawal_once_per_token"),
        ]

    def __str__(self):
        return f"{self.store} {self.amount}"


class WithdrawalEvent(EventBase):
    withdrawal = models.ForeignKey(
        Withdrawal, on_delete=models.CASCADE, related_name="events", verbose_name=_("withdrawal")
    )

    class Meta(EventBase.Meta):
        verbose_name = _("withdrawal event")
        verbose_name_plural = _("withdrawal events")


class DepositAdjustmentRun(models.Model):
    """One monthly dynamic adjustment (动态调整) over every store, by the sales of
    `sales_month`; its progress is what the admin shows. One per month."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    sales_month = models.DateField(_("sales month"), unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    total = models.PositiveIntegerField(_("stores to adjust"), default=0)
    done = models.PositiveIntegerField(_("stores adjusted"), default=0)
    changed = models.PositiveIntegerField(_("requirements changed"), default=0)
    last_store_id = models.BigIntegerField(default=0, editable=False)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("monthly deposit adjustment")
        verbose_name_plural = _("monthly deposit adjustments")
        ordering = ["-sales_month"]

    def __str__(self):
        return f"{self.sales_month:%Y-%m}"

    @property
    def percent(self):
        if not self.total:
            return 100 if self.status == self.Status.FINISHED else 0
        return min(100, round(self.done * 100 / self.total))


class DepositAdjustment(models.Model):
    """What the monthly run decided for one store and why; one per (store, month), so
    running the month again changes nothing."""

    run = models.ForeignKey(
        DepositAdjustmentRun, verbose_name=_("run"), on_delete=models.PROTECT,
        related_name="adjustments",
    )
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="deposit_adjustments"
    )
    sales_month = models.DateField(_("sales month"))
    sales_amount = MoneyField(_("sales"))
    store_required_before = MoneyField(_("store deposit required before"))
    store_required_after = MoneyField(_("store deposit required after"))
    promotion_required_before = MoneyField(_("promotion deposit required before"))
    promotion_required_after = MoneyField(_("promotion deposit required after"))
    lines = models.JSONField(_("reasons"), default=dict, blank=True)
    changed = models.BooleanField(_("changed"), default=False)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("deposit adjustment")
        verbose_name_plural = _("deposit adjustments")
        ordering = ["-sales_month", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["store", "sales_month"], name="deposit_adjustment_once_a_month"),
        ]

    def __str__(self):
        return f"{self.store} {self.sales_month:%Y-%m}"


class ClosureApplication(models.Model):
    """An application to close the store and have deposits refunded (关店退保证金). The
    closure notice shows on the public store page until `notice_until`; reviewers decide
    by `review_by`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Under review")
        # Approved; a refund payout is not confirmed by the provider yet.
        REFUNDING = "refunding", _("Approved, refund being paid out")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="closure_applications"
    )
    refund_store_deposit = models.BooleanField(_("refund the store deposit"), default=True)
    refund_promotion_deposit = models.BooleanField(_("refund the promotion deposit"), default=True)
    reason = models.TextField(_("merchant's reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("applied by"), on_delete=models.PROTECT,
        related_name="+",
    )
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    notice_until = models.DateTimeField(_("closure notice shown until"))
    review_by = models.DateTimeField(_("review due by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    checklist = models.JSONField(_("checklist at the last check"), default=list, blank=True)

    objects = scoped_manager("store__merchant")

    class Meta:
        verbose_name = _("closure application")
        verbose_name_plural = _("closure applications")
        ordering = ["-applied_at", "-pk"]
        indexes = [models.Index(fields=["status", "review_by"])]
        constraints = [
            models.UniqueConstraint(
                fields=["store"], condition=Q(status__in=["pending", "refunding"]),
                name="one_open_closure_per_store",
            ),
            models.CheckConstraint(
                condition=Q(refund_store_deposit=True) | Q(refund_promotion_deposit=True),
                name="closure_refunds_something",
            ),
        ]

    def __str__(self):
        return f"{self.store} ({self.get_status_display()})"

    @property
    def deposit_kinds(self) -> list[str]:
        kinds = []
        if self.refund_store_deposit:
            kinds.append(DepositAccount.Kind.STORE)
        if self.refund_promotion_deposit:
            kinds.append(DepositAccount.Kind.PROMOTION)
        return kinds


class ClosureEvent(EventBase):
    application = models.ForeignKey(
        ClosureApplication, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("closure application"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("closure event")
        verbose_name_plural = _("closure events")
