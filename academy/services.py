"""Every write of the academy."""

from django.db import transaction
from django.utils import timezone

from academy import rules
from academy.models import CaseStudy, Lesson, LessonEvent, ReadingProgress
from academy.reasons import R
from academy.rendering import plain_text, render_markdown
from academy.words import segment, segment_words
from common.workflows import transition_apply


def lesson_derived_fields(*, title: str, summary: str, body: str, topics=()) -> dict:
    """What is computed from a lesson's text when it is written: the sanitised HTML and
    the segmented words the search index reads."""
    html = render_markdown(body)
    body_words, inner_words = segment_words(plain_text(html))
    return {
        "body_html": html,
        "search_title": segment(title),
        "search_keywords": segment(" ".join([summary or "", *topics])),
        "search_body": body_words,
        "search_inner": inner_words,
    }


def lesson_refresh(*, lesson: Lesson) -> Lesson:
    """Re-render and re-segment a lesson (after its text or topics changed)."""
    fields = lesson_derived_fields(
        title=lesson.title, summary=lesson.summary, body=lesson.body,
        topics=[t.name for t in lesson.topics.all()] if lesson.pk else [])
    for name, value in fields.items():
        setattr(lesson, name, value)
    if lesson.pk:
        # A plain update: the derived columns are not part of the lesson's history.
        Lesson.objects.filter(pk=lesson.pk).update(**fields)
    return lesson


def case_study_refresh(*, case: CaseStudy) -> CaseStudy:
    case.story_html = render_markdown(case.story)
    if case.pk:
        CaseStudy.objects.filter(pk=case.pk).update(story_html=case.story_html)
    return case


def lesson_transition(*, lesson: Lesson, to: str, actor, now=None) -> LessonEvent:
    now = now or timezone.now()
    with transaction.atomic():
        locked = Lesson.objects.select_for_update().get(pk=lesson.pk)
        fields = {"published_at": now} if to == rules.PUBLISHED else {}
        reason = R("published") if to == rules.PUBLISHED else R("unpublished")
        event = transition_apply(
            locked, table=rules.LESSON_TRANSITIONS, to=to, actor=actor, reason=reason,
            now=now, event_model=LessonEvent, event_fk="lesson", fields=fields)
    lesson.refresh_from_db(fields=["status", "published_at", "updated_at"])
    return event


def lesson_publish(*, lesson: Lesson, actor, now=None) -> LessonEvent:
    return lesson_transition(lesson=lesson, to=rules.PUBLISHED, actor=actor, now=now)


def lesson_unpublish(*, lesson: Lesson, actor, now=None) -> LessonEvent:
    return lesson_transition(lesson=lesson, to=rules.DRAFT, actor=actor, now=now)


def lesson_mark_read(*, merchant, lesson: Lesson, now=None) -> ReadingProgress:
    """Record that a merchant read a lesson; reading it again keeps the first time."""
    progress, _created = ReadingProgress.objects.get_or_create(
        merchant=merchant, lesson=lesson, defaults={"read_at": now or timezone.now()})
    return progress


def academy_reindex() -> tuple[int, int]:
    """Re-render and re-segment everything; the search index follows (triggers on SQLite,
    the generated column on PostgreSQL)."""
    lessons = cases = 0
    with transaction.atomic():
        for lesson in Lesson.objects.prefetch_related("topics"):
            lesson_refresh(lesson=lesson)
            lessons += 1
        for case in CaseStudy.objects.all():
            case_study_refresh(case=case)
            cases += 1
    return lessons, cases
