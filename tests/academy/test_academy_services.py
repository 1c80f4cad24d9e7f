"""Publishing moves, their events and history; reading progress and course completion;
the rules tables."""

import pytest
from django.utils import timezone

from academy import rules
from academy.models import Lesson, LessonEvent, ReadingProgress
from academy.selectors import course_catalogue
from academy.services import lesson_mark_read, lesson_publish, lesson_unpublish
from common.errors import ApplicationError


@pytest.mark.parametrize(("old", "new", "allowed"), [
    ("draft", "published", True), ("published", "draft", True),
    ("draft", "draft", False), ("published", "published", False),
])
def test_lesson_transition_table(old, new, allowed):
    assert (new in rules.LESSON_TRANSITIONS[old]) is allowed


@pytest.mark.parametrize(("read", "total", "percent", "done"), [
    (0, 0, 0, False), (0, 3, 0, False), (1, 3, 33, False), (3, 3, 100, True), (4, 3, 100, True),
])
def test_completion(read, total, percent, done):
    assert rules.completion_percent(read, total) == percent
    assert rules.course_completed(read, total) is done


@pytest.mark.django_db
def test_publish_and_unpublish_leave_events_and_history(reviewer):
    lesson = Lesson.objects.get(slug="flash-sale")
    history_before = lesson.history.count()
    lesson_unpublish(lesson=lesson, actor=reviewer)
    assert lesson.status == "draft"
    with pytest.raises(ApplicationError):
        lesson_unpublish(lesson=lesson, actor=reviewer)
    at = timezone.now()
    lesson_publish(lesson=lesson, actor=reviewer, now=at)
    assert lesson.status == "published" and lesson.published_at == at
    events = list(LessonEvent.objects.filter(lesson=lesson).order_by("pk"))
    assert [(e.from_status, e.to_status, e.actor) for e in events] == [
        ("published", "draft", reviewer), ("draft", "published", reviewer)]
    assert events[1].reason_display
    assert lesson.history.count() == history_before + 2
    assert lesson.history.first().status == "published"


@pytest.mark.django_db
def test_reading_progress_and_course_completion(merchant, other_merchant, reviewer):
    lessons = list(Lesson.objects.filter(course__slug="about-kuaishou").order_by("order"))
    first = lesson_mark_read(merchant=merchant, lesson=lessons[0])
    again = lesson_mark_read(merchant=merchant, lesson=lessons[0])
    assert first.pk == again.pk and first.read_at == again.read_at
    progress = {p.course.slug: p for p in course_catalogue(merchant)}
    assert (progress["about-kuaishou"].read, progress["about-kuaishou"].total) == (1, 3)
    for lesson in lessons[1:]:
        lesson_mark_read(merchant=merchant, lesson=lesson)
    progress = {p.course.slug: p for p in course_catalogue(merchant)}
    assert progress["about-kuaishou"].completed and progress["about-kuaishou"].percent == 100
    assert not progress["rules"].completed
    # Another merchant's reading is their own.
    assert {p.course.slug: p.read for p in course_catalogue(other_merchant)}["about-kuaishou"] == 0
    # A lesson taken back to draft no longer counts.
    lesson_unpublish(lesson=lessons[2], actor=reviewer)
    progress = {p.course.slug: p for p in course_catalogue(merchant)}
    assert (progress["about-kuaishou"].read, progress["about-kuaishou"].total) == (2, 2)
    assert ReadingProgress.objects.filter(merchant=merchant).count() == 3


@pytest.mark.django_db
def test_reindex_rebuilds_rendering_and_search_words():
    from django.core.management import call_command

    from academy.search import search_lesson_hits

    Lesson.objects.filter(slug="flash-sale").update(body_html="", search_title="",
                                                    search_keywords="", search_body="",
                                                    search_inner="")
    assert "flash-sale" not in [Lesson.objects.get(pk=h.lesson_id).slug
                                for h in search_lesson_hits("秒杀")][:1]
    call_command("academy_reindex")
    lesson = Lesson.objects.get(slug="flash-sale")
    assert "<table>" in lesson.body_html
    assert Lesson.objects.get(pk=search_lesson_hits("秒杀")[0].lesson_id).slug == "flash-sale"


@pytest.mark.django_db
def test_the_demo_merchant_has_read_the_first_course(make_user):
    from academy.demo import load_academy
    from common import roles

    merchant = make_user("merchant_a", roles.MERCHANT)
    load_academy()
    load_academy()
    assert ReadingProgress.objects.filter(merchant=merchant).count() == 3
