"""Reviewer screens for the academy: courses and lessons with a rendered preview, order
edited in the list, publish/unpublish through the service, every change in the history;
the rule → lesson links reviewers maintain."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from academy import services
from academy.models import (
    CaseStudy,
    Course,
    Lesson,
    LessonEvent,
    LessonLink,
    ReadingProgress,
    Topic,
)
from academy.rendering import render_markdown
from common.admin import timeline_inline
from common.errors import ApplicationError


def _preview(html: str):
    # The HTML was sanitised by academy.rendering (nh3 allow-list) when it was rendered.
    return format_html('<div class="academy-preview">{}</div>', mark_safe(html))  # noqa: S308


@admin.register(Topic)
class TopicAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


class LessonInline(admin.TabularInline):
    """The course's lessons in order; their text is edited on the lesson's own page, where
    it is rendered and indexed."""

    model = Lesson
    fields = ["title", "order", "status"]
    readonly_fields = ["title", "status"]
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    list_display = ["title", "slug", "order", "lesson_count", "updated_at"]
    list_editable = ["order"]
    search_fields = ["title", "slug"]
    inlines = [LessonInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_lessons=Count("lessons"))

    @admin.display(description=_("lessons"), ordering="_lessons")
    def lesson_count(self, obj):
        return obj._lessons


class LessonLinkInline(admin.TabularInline):
    model = LessonLink
    fields = ["kind", "key", "note"]
    extra = 0


@admin.register(Lesson)
class LessonAdmin(SimpleHistoryAdmin):
    list_display = ["title", "course", "order", "status", "updated_at"]
    list_editable = ["order"]
    list_filter = ["status", "course", "topics"]
    list_select_related = ["course"]
    search_fields = ["title", "slug", "summary"]
    ordering = ["course__order", "course_id", "order", "pk"]
    fields = ["course", "title", "slug", "summary", "topics", "order", "body", "preview",
              "status", "published_at", "updated_at"]
    readonly_fields = ["preview", "status", "published_at", "updated_at"]
    filter_horizontal = ["topics"]
    inlines = [LessonLinkInline, timeline_inline(LessonEvent)]
    actions = ["publish", "unpublish"]
    show_full_result_count = False

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or not obj.pk:
            return _("Save to see the rendered lesson.")
        return _preview(obj.body_html or render_markdown(obj.body))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Render and segment once the topics are saved too.
        services.lesson_refresh(lesson=form.instance)

    def _move(self, request, queryset, service, done):
        moved = 0
        for lesson in queryset:
            try:
                service(lesson=lesson, actor=request.user)
                moved += 1
            except ApplicationError as exc:
                self.message_user(request, f"{lesson}: {exc}", messages.WARNING)
        if moved:
            self.message_user(request, done % {"n": moved}, messages.SUCCESS)

    @admin.action(description=_("Publish the selected lessons"), permissions=["change"])
    def publish(self, request, queryset):
        self._move(request, queryset, services.lesson_publish, _("%(n)d lesson(s) published."))

    @admin.action(description=_("Take the selected lessons back to draft"),
                  permissions=["change"])
    def unpublish(self, request, queryset):
        self._move(request, queryset, services.lesson_unpublish,
                   _("%(n)d lesson(s) taken back to draft."))


@admin.register(CaseStudy)
class CaseStudyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "account", "category", "order", "published", "updated_at"]
    list_editable = ["order", "published"]
    list_filter = ["published", "category"]
    search_fields = ["name", "account", "category"]
    autocomplete_fields = ["lesson"]
    readonly_fields = ["preview"]
    fields = ["name", "slug", "account", "category", "headline", "story", "preview", "figures",
              "lesson", "order", "published"]

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if obj is None or not obj.pk:
            return _("Save to see the rendered story.")
        return _preview(obj.story_html or render_markdown(obj.story))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.case_study_refresh(case=obj)


@admin.register(LessonLink)
class LessonLinkAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "key", "lesson", "note", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["lesson"]
    search_fields = ["key", "lesson__title", "note"]
    autocomplete_fields = ["lesson"]


@admin.register(ReadingProgress)
class ReadingProgressAdmin(admin.ModelAdmin):
    list_display = ["merchant", "lesson", "read_at"]
    list_select_related = ["merchant", "lesson"]
    raw_id_fields = ["merchant", "lesson"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
