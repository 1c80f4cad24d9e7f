from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import EventBase
from common.money import MoneyField
from compliance.rules import CATEGORY_MAX_LEVEL, category_parent_problem
from shop.models import ProductRevision

# Category codes spell the path with dots (food.snacks.nuts), which a slug forbids.
category_code_validator = RegexValidator(
    r"^[a-z0-9_.-]+\Z",
    _("Use lower-case letters, digits, dots, hyphens and underscores only "
      "(e.g. food.snacks.nuts)."),
    code="invalid_category_code",
)
# How far `path_name` and `ancestors_and_self` walk up: the tree has three levels; a
# stored loop or an over-deep chain is cut off rather than followed for ever.
_MAX_WALK = CATEGORY_MAX_LEVEL + 1

CATEGORY_PARENT_PROBLEMS = {
    "cycle": _("A category cannot be placed under itself or under one of its own "
               "subcategories."),
    "too_deep": _("The category tree has at most %(levels)s levels: this parent would put "
                  "the category, or a category below it, on a deeper level."),
}


class Category(models.Model):
    """Product category (类目), three levels (一级/二级/三级). A blank flag means "inherit
    from the parent"; `compliance.rules.category_effective` resolves the chain."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        NOT_OPEN = "not_open", _("Not open")
        PROHIBITED = "prohibited", _("Prohibited")

    code = models.CharField(
        _("code"), max_length=80, unique=True, validators=[category_code_validator]
    )
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, blank=True, db_index=True,
        help_text=_("Blank: inherit from the parent category."),
    )
    required_qualifications = models.ManyToManyField(
        "compliance.QualificationType",
        verbose_name=_("required qualifications"),
        blank=True,
        related_name="categories",
        help_text=_("Children also require their parents' qualifications."),
    )
    deposit_standard = MoneyField(
        _("special deposit"), null=True, blank=True,
        help_text=_("Blank: inherit; none anywhere means the base deposit."),
    )
    deposit_industry_base = MoneyField(
        _("special deposit in an industry-belt base"), null=True, blank=True
    )
    invitation_only = models.BooleanField(_("invitation only"), default=False)
    service_fee_rate = models.DecimalField(
        _("technical service fee rate"), max_digits=5, decimal_places=4, null=True, blank=True,
        help_text=_("Blank: inherit; the root default is configuration."),
    )
    seven_day_return = models.BooleanField(
        _("7-day no-reason return applies"), null=True, blank=True
    )
    lightning_purchase = models.BooleanField(_("lightning purchase allowed"), null=True, blank=True)
    lightning_base_only = models.BooleanField(
        _("lightning purchase only for industry-belt base merchants"), default=False
    )
    prepackaged_food = models.BooleanField(
        _("prepackaged food (label fields required)"), null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["level", "sort_order", "code"]

    def __str__(self):
        return self.path_name

    @property
    def path_name(self):
        return " / ".join(node.name for node in self.ancestors_and_self())

    def ancestors_and_self(self):
        """Root first. Use select_related('parent__parent') to avoid queries. Bounded: a
        parent chain that loops or runs deeper than the tree stops after a few steps."""
        chain = [self]
        seen = {self.pk} if self.pk is not None else set()
        node = self
        while node.parent_id is not None and len(chain) < _MAX_WALK:
            if node.parent_id in seen:
                break
            node = node.parent
            seen.add(node.pk)
            chain.append(node)
        return list(reversed(chain))

    def clean(self):
        """The parent may not be the category itself or one of its subcategories, and
        the tree stays three levels deep (requirements are looked up three levels)."""
        super().clean()
        problem = category_parent_problem(
            pk=self.pk, parent_pk=self.parent_id,
            parents=dict(Category.objects.values_list("pk", "parent_id")),
        )
        if problem:
            raise ValidationError({"parent": ValidationError(
                CATEGORY_PARENT_PROBLEMS[problem], code=f"category_{problem}",
                params={"levels": CATEGORY_MAX_LEVEL},
            )})


class QualificationType(models.Model):
    """Kind of qualification document (资质), e.g. food business licence."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    publicly_displayed = models.BooleanField(_("shown publicly on the store (公示)"), default=False)
    requires_number = models.BooleanField(_("requires a certificate number"), default=True)
    extra_fields = models.JSONField(_("extra fields"), default=list, blank=True)
    max_age_days = models.PositiveIntegerField(
        _("must be issued within (days)"), null=True, blank=True,
        help_text=_("Blank: only the document's own validity counts."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("qualification type")
        verbose_name_plural = _("qualification types")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Qualification(models.Model):
    """A qualification uploaded by a merchant for its store, reviewed by the platform."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Replaced by a newer one")

    store = models.ForeignKey(
        "shop.Store", verbose_name=_("store"), on_delete=models.PROTECT,
        related_name="qualifications",
    )
    type = models.ForeignKey(
        QualificationType, verbose_name=_("type"), on_delete=models.PROTECT,
        related_name="qualifications",
    )
    number = models.CharField(_("certificate number"), max_length=80, blank=True)
    issuer = models.CharField(_("issuer"), max_length=120, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    # Clocks, stored when the qualification is approved.
    warn_at = models.DateTimeField(_("expiry warning at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("expiry warning sent at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["-submitted_at"]
        indexes = [
            models.Index(fields=["status", "expires_at"]),
            models.Index(fields=["status", "warn_at"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self):
        return f"{self.type} · {self.store}"


class QualificationFile(models.Model):
    """An uploaded page of a qualification, stored privately (served only to the owner
    and reviewers through a permission-checked view)."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="files",
        verbose_name=_("qualification"),
    )
    file = models.FileField(_("file"), upload_to="private/qualifications/%Y/%m/")
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("qualification file")
        verbose_name_plural = _("qualification files")

    def __str__(self):
        return self.original_name or self.file.name


class QualificationEvent(EventBase):
    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="events",
        verbose_name=_("qualification"),
    )

    class Meta(EventBase.Meta):
        verbose_name = _("qualification event")
        verbose_name_plural = _("qualification events")

    @property
    def from_status_label(self):
        return dict(Qualification.Status.choices).get(self.from_status, self.from_status)

    @property
    def to_status_label(self):
        return dict(Qualification.Status.choices).get(self.to_status, self.to_status)


class QualificationDelisting(models.Model):
    """A product delisted automatically because a qualification expired (one row per
    expired type, also when the product was already off sale for another); relisted, and
    every row of the product marked here, once an approval leaves nothing it needs
    missing and its category is still open."""

    qualification = models.ForeignKey(
        Qualification, on_delete=models.CASCADE, related_name="delistings",
        verbose_name=_("expired qualification"),
    )
    product = models.ForeignKey(
        "shop.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    delisted_at = models.DateTimeField(_("delisted at"))
    reason = models.CharField(_("reason"), max_length=200)
    relisted_at = models.DateTimeField(_("relisted at"), null=True, blank=True)
    relisted_by = models.ForeignKey(
        Qualification, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("relisted by qualification"),
    )

    class Meta:
        verbose_name = _("delisting for an expired qualification")
        verbose_name_plural = _("delistings for expired qualifications")
        constraints = [
            models.UniqueConstraint(
                fields=["qualification", "product"], name="uniq_qualification_delisting"
            )
        ]
        indexes = [models.Index(fields=["product", "relisted_at"])]

    def __str__(self):
        return f"{self.product_id} ← {self.qualification_id}"


class ScreeningRule(models.Model):
    """A rule list of the automatic listing screening (e.g. absolute terms banned by the
    Advertising Law, 广告法极限词)."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    academy_url = models.CharField(
        _("academy lesson link"), max_length=300, blank=True,
        help_text=_("Shown to merchants next to a hit of this rule."),
    )
    fields = models.JSONField(
        _("listing fields"), default=list, blank=True,
        help_text=_("Limit the rule to these listing fields (e.g. image_caption); empty: all."),
    )
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening rule")
        verbose_name_plural = _("screening rules")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return self.name


class ScreeningTerm(models.Model):
    """One term of a screening rule: a literal phrase or a regular expression, with the
    variant spellings it also catches and the phrases in which it is harmless."""

    class Kind(models.TextChoices):
        LITERAL = "literal", _("Literal phrase")
        REGEX = "regex", _("Regular expression")
        REGEX_TYPED = "regex_typed", _("Regular expression on the text as typed")

    rule = models.ForeignKey(
        ScreeningRule, on_delete=models.PROTECT, related_name="terms", verbose_name=_("rule")
    )
    pattern = models.CharField(_("pattern"), max_length=300)
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.LITERAL,
        help_text=_("A regular expression runs on the text with spaces and punctuation "
                    "removed; one “on the text as typed” keeps them, for numbers whose "
                    "digits must stand together (phone numbers)."),
    )
    variants = models.JSONField(
        _("variant spellings"), default=list, blank=True,
        help_text=_("Homophones and evasions rewritten to this term, e.g. 威信 for 微信."),
    )
    exceptions = models.JSONField(
        _("exceptions"), default=list, blank=True,
        help_text=_("Phrases in which a match is harmless, e.g. 最佳赏味期 for 最佳."),
    )
    active = models.BooleanField(_("active"), default=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("screening term")
        verbose_name_plural = _("screening terms")
        ordering = ["rule", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "kind", "pattern"], name="uniq_screening_term_per_rule"
            )
        ]

    def __str__(self):
        return self.pattern

    def clean(self):
        from compliance.screening import Screener, Term, TermError

        for name in ("variants", "exceptions"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValidationError({name: _("Enter a list of texts, e.g. [\"vx\", \"v信\"].")})
        try:
            Screener(
                [
                    Term(
                        rule_code=self.rule.code if self.rule_id else "rule",
                        pattern=self.pattern,
                        kind=self.kind,
                        variants=tuple(self.variants),
                        exceptions=tuple(self.exceptions),
                    )
                ]
            )
        except TermError as exc:
            raise ValidationError({_TERM_PROBLEM_FIELDS.get(exc.code, "pattern"): ValidationError(
                term_problem_message(exc), code=exc.code
            )}) from exc


# What the reviewer reads when a term cannot be used (`compliance.screening.TermError`
# codes); the engine's own messages are English and meant for logs.
_TERM_PROBLEMS = {
    "unknown_kind": _("Choose one of the offered kinds."),
    "empty_rule": _("Choose the rule this term belongs to."),
    "empty_pattern": _("Enter the phrase or expression to look for."),
    "regex_variants": _("A regular expression cannot have variant spellings: write them "
                        "into the expression, e.g. (微信|威信)."),
    "empty_literal": _("This phrase has nothing left to look for once spaces and "
                       "punctuation are removed."),
    "bad_regex": _("This is not a valid regular expression."),
    "bad_regex_at": _("This is not a valid regular expression: the error is at character "
                      "%(position)s."),
    "regex_matches_empty": _("This regular expression also matches an empty text, so it "
                             "would hit everywhere."),
}
_TERM_PROBLEM_FIELDS = {"regex_variants": "variants", "unknown_kind": "kind", "empty_rule": "rule"}


def term_problem_message(exc) -> str:
    """The translated sentence for a `compliance.screening.TermError`."""
    position = exc.params.get("position")
    if exc.code == "bad_regex" and position is not None:
        return _TERM_PROBLEMS["bad_regex_at"] % {"position": position + 1}
    return str(_TERM_PROBLEMS.get(exc.code, _TERM_PROBLEMS["bad_regex"]))


class ProductReview(ProductRevision):
    """The product review queue (商品初审): product revisions seen by reviewers."""

    class Meta:
        proxy = True
        verbose_name = _("product review")
        verbose_name_plural = _("product review queue")


class QualificationReview(Qualification):
    """The qualification review queue: qualifications waiting for a reviewer."""

    class Meta:
        proxy = True
        verbose_name = _("qualification review")
        verbose_name_plural = _("qualification review queue")


# Enforcement lives in its own package; its tables belong to this app.
from compliance.enforcement.models import (  # noqa: E402,F401
    CalendarDay,
    CreditScore,
    CreditScoreEntry,
    KeySupervision,
    Lab,
    Measure,
    MeasureEvent,
    Restriction,
    RestrictionEvent,
    SamplingFile,
    SamplingInspection,
    SamplingInspectionEvent,
    SourceKind,
    UnsafeGoodsMatch,
    UnsafeGoodsNotice,
    UnsafeGoodsNoticeEvent,
    Violation,
    ViolationAppeal,
    ViolationEvent,
    ViolationFile,
    ViolationType,
)
