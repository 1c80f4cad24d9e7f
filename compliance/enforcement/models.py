"""Tables of enforcement: violation types, violations (违规记录) with their files and
timeline, the credit score (信用分) and its ledger, and restrictions (node restrictions and
measures) with their timeline. Loaded through `compliance.models`."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import EventBase, ReasonedModel
from common.money import MoneyField
from compliance.enforcement import rules


class StoreScopedQuerySet(models.QuerySet):
    """`for_merchant(user)`: the only way merchant-facing code reads these rows."""

    def for_merchant(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(store__merchant=user)


class SourceKind(models.TextChoices):
    """Where the platform learnt of a violation (违规信息来源)."""

    REGULATOR = "regulator", _("Notice from an administrative authority")
    COURT = "court", _("Court or judicial document")
    MEDIA = "media", _("News media report")
    COMPLAINT = "complaint", _("Complaint or report")
    QUALITY_REPORT = "quality_report", _("Product quality monitoring report")
    DATA_SCREENING = "data_screening", _("Data screening by the platform")
    SAMPLING = "sampling", _("Sampling inspection")
    OTHER = "other", _("Other lawful channel")


class ViolationType(models.Model):
    """A kind of violation in the catalogue, with its default points."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    default_points = models.PositiveSmallIntegerField(_("default points"))
    source_kinds = models.JSONField(
        _("source kinds"), default=list, blank=True,
        help_text=_("Codes of the sources this type is usually recorded from."))
    academy_lesson = models.CharField(
        _("academy lesson"), max_length=200, blank=True,
        help_text=_("The lesson that explains the rule, once the academy has it."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("violation type")
        verbose_name_plural = _("violation types")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Violation(ReasonedModel):
    """A violation recorded against a store (违规记录). `reason` holds the reviewer's own
    words; what the system recorded is a reason code."""

    class Status(models.TextChoices):
        IN_FORCE = rules.IN_FORCE, _("In force")
        APPEALED = rules.APPEALED, _("Appealed")
        UPHELD = rules.UPHELD, _("Upheld on appeal")
        REVOKED = rules.REVOKED, _("Revoked")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="violations")
    type = models.ForeignKey(ViolationType, verbose_name=_("type"), on_delete=models.PROTECT,
                             related_name="violations")
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    source_type = models.ForeignKey(ContentType, verbose_name=_("source record type"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    source_id = models.CharField(_("source record"), max_length=40, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    points = models.PositiveSmallIntegerField(_("points"))
    score_year = models.PositiveSmallIntegerField(_("counted in year"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.IN_FORCE, db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, db_index=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    appeal_by = models.DateTimeField(_("appeal by"))
    appeal_text = models.TextField(_("appeal"), blank=True)
    appealed_at = models.DateTimeField(_("appealed at"), null=True, blank=True, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("decision reason"), blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("violation")
        verbose_name_plural = _("violations")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["type", "source_type", "source_id"], condition=~Q(source_id=""),
                name="violation_once_per_source_and_type"),
        ]
        indexes = [
            models.Index(fields=["store", "-recorded_at"], name="violation_store_recent"),
            models.Index(fields=["status", "appealed_at"], name="violation_appeal_queue"),
        ]

    def __str__(self):
        return f"{self.type} · {self.store}"


class ViolationFile(models.Model):
    """Evidence of a violation, or of the merchant's appeal; stored privately."""

    class Side(models.TextChoices):
        EVIDENCE = "evidence", _("Evidence")
        APPEAL = "appeal", _("Appeal evidence")

    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="files",
                                  verbose_name=_("violation"))
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    file = models.FileField(_("file"), upload_to="private/violations/%Y/%m/")
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("violation file")
        verbose_name_plural = _("violation files")

    def __str__(self):
        return self.original_name or self.file.name


class ViolationEvent(EventBase):
    violation = models.ForeignKey(Violation, on_delete=models.CASCADE, related_name="events",
                                  verbose_name=_("violation"))

    class Meta(EventBase.Meta):
        verbose_name = _("violation event")
        verbose_name_plural = _("violation events")


class CreditScore(models.Model):
    """A store's promoter credit score (信用分) in the current year."""

    store = models.OneToOneField("shop.Store", verbose_name=_("store"),
                                 on_delete=models.PROTECT, related_name="credit_score")
    score = models.SmallIntegerField(_("score"))
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    zero_reached_at = models.DateTimeField(
        _("reached 0 at"), null=True, blank=True,
        help_text=_("Once the score reached 0 the cart is closed for good and the merchant "
                    "may not apply again."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit score")
        verbose_name_plural = _("credit scores")

    def __str__(self):
        return f"{self.store}: {self.score}"


class CreditScoreEntry(ReasonedModel):
    """One change of a credit score: a deduction, a restoration or the yearly reset.
    Append-only; `score_after` is the score once it applies."""

    class Kind(models.TextChoices):
        DEDUCTION = "deduction", _("Deduction")
        RESTORATION = "restoration", _("Points restored")
        RESET = "reset", _("Yearly reset")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="credit_entries")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    change = models.SmallIntegerField(_("change"))
    score_after = models.SmallIntegerField(_("score after"))
    violation = models.ForeignKey(Violation, verbose_name=_("violation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="credit_entries")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True,
                              blank=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit score entry")
        verbose_name_plural = _("credit score entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["store", "at"], name="credit_entry_store_at")]
        constraints = [
            models.UniqueConstraint(fields=["store", "year", "kind"],
                                    condition=Q(kind="reset"), name="credit_reset_once_a_year"),
        ]

    def __str__(self):
        return f"{self.store_id} {self.change:+d} → {self.score_after}"


class Restriction(models.Model):
    """A restriction on a store: from a credit-score node (warning, publishing, campaigns,
    cart) or from a market-management measure. It ends by itself at `ends_at` (empty:
    permanent) unless lifted earlier."""

    class Kind(models.TextChoices):
        WARNING = rules.WARNING, _("Public warning")
        PUBLISH = rules.PUBLISH, _("Publishing products restricted")
        CAMPAIGN = rules.CAMPAIGN, _("Campaign sign-ups restricted")
        CART = rules.CART, _("Shopping cart suspended")
        FUNDS = rules.FUNDS, _("Account funds frozen")

    class Status(models.TextChoices):
        ACTIVE = rules.ACTIVE, _("Active")
        ENDED = rules.ENDED, _("Ended")
        LIFTED = rules.LIFTED, _("Lifted")
        SUPERSEDED = rules.SUPERSEDED, _("Replaced by a heavier node")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="restrictions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices,
                              default=Status.ACTIVE, db_index=True)
    node_score = models.SmallIntegerField(_("credit node"), null=True, blank=True)
    score_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    violation = models.ForeignKey(Violation, verbose_name=_("violation"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="restrictions")
    measure = models.ForeignKey("compliance.Measure", verbose_name=_("measure"), null=True,
                                blank=True, on_delete=models.PROTECT,
                                related_name="restrictions")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("restriction")
        verbose_name_plural = _("restrictions")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "ends_at"], name="restriction_clock"),
            models.Index(fields=["store", "kind", "status"], name="restriction_store_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.store}"

    @property
    def permanent(self) -> bool:
        return self.ends_at is None


class RestrictionEvent(EventBase):
    restriction = models.ForeignKey(Restriction, on_delete=models.CASCADE,
                                    related_name="events", verbose_name=_("restriction"))

    class Meta(EventBase.Meta):
        verbose_name = _("restriction event")
        verbose_name_plural = _("restriction events")


class ViolationAppeal(Violation):
    """The appeals queue: violations the merchant appealed, waiting for a reviewer."""

    class Meta:
        proxy = True
        verbose_name = _("violation appeal")
        verbose_name_plural = _("violation appeals queue")


class Measure(ReasonedModel):
    """A market-management measure (市场管理措施) a reviewer applied to a store, with the
    reviewer's reason; it ends at `ends_at` (empty: until lifted) or when lifted with a
    reason. Restricting measures hold their restrictions; delistings act once."""

    class Kind(models.TextChoices):
        WARNING = rules.M_WARNING, _("Warning")
        DELIST_PRODUCT = rules.M_DELIST_PRODUCT, _("Delist the product")
        DELIST_STORE = rules.M_DELIST_STORE, _("Delist every product of the store")
        RESTRICT_PUBLISH = rules.M_RESTRICT_PUBLISH, _("Restrict publishing products")
        RESTRICT_CAMPAIGN = rules.M_RESTRICT_CAMPAIGN, _("Restrict campaign sign-ups")
        SUSPEND_CART = rules.M_SUSPEND_CART, _("Suspend the shopping cart")
        CLOSE_STORE = rules.M_CLOSE_STORE, _("Close the store functions")
        ACCOUNT_BAN_STEP = rules.M_ACCOUNT_BAN_STEP, _("Account ban (a step)")
        PERMANENT_BAN = rules.M_PERMANENT_BAN, _("Permanent account ban")
        FREEZE_FUNDS = rules.M_FREEZE_FUNDS, _("Freeze account funds")

    class Status(models.TextChoices):
        ACTIVE = rules.ACTIVE, _("In force")
        LIFTED = rules.LIFTED, _("Lifted")
        ENDED = rules.ENDED, _("Ended")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="measures")
    kind = models.CharField(_("measure"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE, db_index=True)
    product = models.ForeignKey("shop.Product", verbose_name=_("product"), null=True,
                                blank=True, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField(_("applied at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    ban_step = models.PositiveSmallIntegerField(
        _("ban step"), null=True, blank=True,
        help_text=_("For an account ban in steps: the step of the ladder it applied."))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("applied by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("lifted by"),
                                  null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lift_reason = models.TextField(_("why lifted"), blank=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("market-management measure")
        verbose_name_plural = _("market-management measures")
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "ends_at"], name="measure_clock"),
            models.Index(fields=["store", "status"], name="measure_store_status"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.store}"


class MeasureEvent(EventBase):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="events",
                                verbose_name=_("measure"))

    class Meta(EventBase.Meta):
        verbose_name = _("measure event")
        verbose_name_plural = _("measure events")


class UnsafeGoodsNotice(models.Model):
    """A notice about unsafe goods (质量不合格或行政部门要求): a regulator, a consumer
    association or the media names a brand, a category and/or a batch, or goods the same as
    a product that failed sampling. The matching products of every store are delisted in
    one step once a reviewer confirms the list."""

    class Source(models.TextChoices):
        REGULATOR = "regulator", _("Administrative authority")
        CONSUMER_ASSOCIATION = "consumer_association", _("Consumer association")
        MEDIA = "media", _("News media")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed: products delisted")

    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    issuer = models.CharField(_("issued by"), max_length=120)
    text = models.TextField(_("what the notice says"))
    brand = models.CharField(_("brand"), max_length=80, blank=True)
    category = models.ForeignKey("compliance.Category", verbose_name=_("category"), null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    batch = models.CharField(_("batch"), max_length=80, blank=True)
    same_as_product = models.ForeignKey(
        "shop.Product", verbose_name=_("same as the product"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("Goods the same as this product (e.g. the one that failed sampling)."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                   null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unsafe goods notice")
        verbose_name_plural = _("unsafe goods notices")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.issuer}: {self.brand or self.batch or self.category or ''}"


class UnsafeGoodsNoticeEvent(EventBase):
    notice = models.ForeignKey(UnsafeGoodsNotice, on_delete=models.CASCADE,
                               related_name="events", verbose_name=_("notice"))

    class Meta(EventBase.Meta):
        verbose_name = _("unsafe goods notice event")
        verbose_name_plural = _("unsafe goods notice events")


class UnsafeGoodsMatch(models.Model):
    """A product a confirmed notice delisted, with the measure recorded on its merchant and
    the reviewers' follow-up."""

    notice = models.ForeignKey(UnsafeGoodsNotice, on_delete=models.CASCADE,
                               related_name="matches", verbose_name=_("notice"))
    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="+")
    product = models.ForeignKey("shop.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="+")
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT,
                                related_name="+")
    follow_up = models.TextField(_("follow-up"), blank=True)
    followed_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)

    class Meta:
        verbose_name = _("product delisted by a notice")
        verbose_name_plural = _("products delisted by a notice")
        constraints = [models.UniqueConstraint(fields=["notice", "product"],
                                               name="notice_match_once")]

    def __str__(self):
        return f"{self.notice_id} → {self.product_id}"


# --- sampling inspections (商品抽查) -------------------------------------------------------------
class CalendarDay(models.Model):
    """A day the working-day calendar treats differently from its weekday: a public
    holiday on a weekday, or an adjusted working day (调休) on a weekend."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Adjusted working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("holiday calendar day")
        verbose_name_plural = _("holiday calendar")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()}"


class Lab(models.Model):
    """Who tests samples: a CMA/CNAS-accredited lab, or the brand owner."""

    class Kind(models.TextChoices):
        LAB = "lab", _("CMA/CNAS-accredited lab")
        BRAND_OWNER = "brand_owner", _("Brand or copyright owner")

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.LAB)
    accreditation = models.CharField(_("CMA/CNAS numbers"), max_length=120, blank=True)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    supports_retest = models.BooleanField(_("supports re-inspection"), default=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("lab")
        verbose_name_plural = _("lab directory")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SamplingInspection(models.Model):
    """A sampling inspection of a product (商品抽查), from selection to a final result."""

    class Status(models.TextChoices):
        SELECTED = rules.S_SELECTED, _("Selected")
        SAMPLE_ORDERED = rules.S_SAMPLE_ORDERED, _("Sample ordered")
        AT_LAB = rules.S_AT_LAB, _("At the lab")
        PASSED = rules.S_PASSED, _("Passed")
        FAILED = rules.S_FAILED, _("Failed: appeal open")
        APPEALED = rules.S_APPEALED, _("Appealed")
        FEE_DUE = rules.S_FEE_DUE, _("Re-inspection fee due")
        RETESTING = rules.S_RETESTING, _("Re-inspection")
        FINAL = rules.S_FINAL, _("Failed: final")
        REVOKED = rules.S_REVOKED, _("Revoked after re-inspection")

    class Refusal(models.TextChoices):
        LATE = "late", _("The appeal came after the deadline")
        ORIGINAL_UNUSABLE = "original_unusable", _("The original sample cannot be re-tested")
        EXPIRED = "expired", _("The product expired in the meantime")
        LAB_UNSUPPORTED = "lab_unsupported", _("The lab does not support re-inspection")

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="sampling_inspections")
    product = models.ForeignKey("shop.Product", verbose_name=_("product"),
                                on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.SELECTED, db_index=True)
    drawn = models.BooleanField(_("drawn by the system"), default=False)
    planned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("planned by"),
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    planned_at = models.DateTimeField(_("planned at"), default=timezone.now)
    sample_order = models.ForeignKey("shop.Order", verbose_name=_("sample order"), null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    lab = models.ForeignKey(Lab, verbose_name=_("lab"), null=True, blank=True,
                            on_delete=models.PROTECT, related_name="inspections")
    failed_items = models.JSONField(_("items failed"), default=list, blank=True)
    notified_at = models.DateTimeField(_("result notified at"), null=True, blank=True)
    appeal_by = models.DateTimeField(_("appeal by"), null=True, blank=True)
    appeal_text = models.TextField(_("appeal"), blank=True)
    refusal = models.CharField(_("re-inspection refused because"), max_length=20,
                               choices=Refusal.choices, blank=True)
    fee_amount = MoneyField(_("re-inspection fee"), null=True, blank=True)
    fee_due_by = models.DateTimeField(_("fee due by"), null=True, blank=True)
    fee_payment = models.ForeignKey("payments.Payment", verbose_name=_("fee payment"),
                                    null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    fee_paid_at = models.DateTimeField(_("fee paid at"), null=True, blank=True)
    violation = models.ForeignKey(Violation, verbose_name=_("violation"), null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="+")
    final_reason = models.CharField(_("why final"), max_length=20, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StoreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sampling inspection")
        verbose_name_plural = _("sampling inspections")
        ordering = ["-planned_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "appeal_by"], name="sampling_appeal_clock"),
            models.Index(fields=["status", "fee_due_by"], name="sampling_fee_clock"),
            models.Index(fields=["status", "planned_at"], name="sampling_queue"),
        ]

    def __str__(self):
        return f"{self.product_id} · {self.get_status_display()}"

    @property
    def next_clock(self):
        return {rules.S_FAILED: self.appeal_by, rules.S_FEE_DUE: self.fee_due_by}.get(
            self.status)


class SamplingInspectionEvent(EventBase):
    inspection = models.ForeignKey(SamplingInspection, on_delete=models.CASCADE,
                                   related_name="events", verbose_name=_("inspection"))

    class Meta(EventBase.Meta):
        verbose_name = _("sampling inspection event")
        verbose_name_plural = _("sampling inspection events")


class SamplingFile(models.Model):
    """A lab report, a re-inspection report, or the merchant's appeal evidence."""

    class Side(models.TextChoices):
        REPORT = "report", _("Test report")
        RETEST_REPORT = "retest_report", _("Re-inspection report")
        APPEAL = "appeal", _("Appeal evidence")

    inspection = models.ForeignKey(SamplingInspection, on_delete=models.CASCADE,
                                   related_name="files", verbose_name=_("inspection"))
    side = models.CharField(_("side"), max_length=14, choices=Side.choices)
    file = models.FileField(_("file"), upload_to="private/sampling/%Y/%m/")
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("sampling file")
        verbose_name_plural = _("sampling files")

    def __str__(self):
        return self.original_name or self.file.name


class KeySupervision(models.Model):
    """Two months of key supervision (重点监督) after a final sampling failure; the
    sampling draw favours the store meanwhile."""

    store = models.ForeignKey("shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
                              related_name="+")
    inspection = models.OneToOneField(SamplingInspection, verbose_name=_("inspection"),
                                      on_delete=models.PROTECT, related_name="supervision")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), db_index=True)

    class Meta:
        verbose_name = _("key supervision")
        verbose_name_plural = _("key supervision")
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.store_id} → {self.ends_at:%Y-%m-%d}"
