from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import EventBase


class Topic(models.Model):
    """A topic merchants browse lessons by (话题), e.g. 直播, 规则."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True, allow_unicode=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    order = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class Course(models.Model):
    """A course of the academy (电商学院课程): an ordered series of lessons."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    order = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class Lesson(models.Model):
    """A lesson (课程章节). The body is Markdown written by reviewers; `body_html` is its
    sanitised rendering and `search_*` its words segmented at write time for search."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    course = models.ForeignKey(Course, verbose_name=_("course"), on_delete=models.PROTECT,
                               related_name="lessons")
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body (Markdown)"), blank=True)
    body_html = models.TextField(_("rendered body"), blank=True, editable=False)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True,
                                    related_name="lessons")
    order = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices,
                              default=Status.DRAFT, db_index=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_title = models.TextField(_("title words"), blank=True, editable=False)
    search_keywords = models.TextField(_("summary and topic words"), blank=True,
                                       editable=False)
    search_body = models.TextField(_("body words"), blank=True, editable=False)
    search_inner = models.TextField(_("words inside body words"), blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["search_title", "search_keywords",
                                                 "search_body", "search_inner", "body_html"])

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["course__order", "course_id", "order", "pk"]
        indexes = [models.Index(fields=["course", "status", "order"])]

    def __str__(self):
        return self.title


class LessonEvent(EventBase):
    """A lesson's publishing timeline (draft ↔ published)."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="events",
                               verbose_name=_("lesson"))

    class Meta(EventBase.Meta):
        verbose_name = _("lesson event")
        verbose_name_plural = _("lesson events")


class CaseStudy(models.Model):
    """A benchmark streamer (标杆主播) told as a case study."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=60)
    account = models.CharField(_("Kuaishou account"), max_length=60, blank=True)
    category = models.CharField(_("category"), max_length=40, blank=True)
    headline = models.CharField(_("headline"), max_length=120, blank=True)
    story = models.TextField(_("story (Markdown)"), blank=True)
    story_html = models.TextField(_("rendered story"), blank=True, editable=False)
    figures = models.JSONField(
        _("figures"), default=list, blank=True,
        help_text=_('A list of {"label": …, "value": …} pairs, e.g. single-day sales.'))
    lesson = models.ForeignKey(Lesson, verbose_name=_("related lesson"), null=True,
                               blank=True, on_delete=models.SET_NULL, related_name="cases")
    order = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    published = models.BooleanField(_("published"), default=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["story_html"])

    class Meta:
        verbose_name = _("case study")
        verbose_name_plural = _("case studies")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.name


class LessonLink(models.Model):
    """Which lesson explains a rule that can bite a merchant. Rules are named by a kind
    and a key (("violation_type", "late_shipment"), ("deposit_page", "")), so the academy
    needs no knowledge of the apps that own them."""

    class Kind(models.TextChoices):
        SCREENING_RULE = "screening_rule", _("Screening rule (code)")
        REJECTION_TEMPLATE = "rejection_template", _("Rejection reason template (id)")
        VIOLATION_TYPE = "violation_type", _("Violation type (code)")
        AFTERSALE_CLOCK = "aftersale_clock", _("After-sale clock (name)")
        DEPOSIT_PAGE = "deposit_page", _("Deposit page and shortfall restrictions")
        CLOSURE_CHECKLIST = "closure_checklist", _("Closure checklist item (code)")
        CREDIT_NODE = "credit_node", _("Credit-score node (score)")

    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    key = models.CharField(_("key"), max_length=100, blank=True)
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE,
                               related_name="links")
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lesson link")
        verbose_name_plural = _("lesson links")
        ordering = ["kind", "key"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"],
                                               name="uniq_lesson_link_rule")]

    def __str__(self):
        return f"{self.kind}:{self.key} → {self.lesson_id}"


class ReadingProgress(models.Model):
    """A lesson a merchant has read; course completion is derived from these rows."""

    merchant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("merchant"),
                                 on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey(Lesson, verbose_name=_("lesson"), on_delete=models.CASCADE,
                               related_name="reads")
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("reading progress")
        verbose_name_plural = _("reading progress")
        ordering = ["-read_at"]
        constraints = [models.UniqueConstraint(fields=["merchant", "lesson"],
                                               name="uniq_reading_progress")]

    def __str__(self):
        return f"{self.merchant_id} · {self.lesson_id}"
