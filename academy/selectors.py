"""Every read of the academy's pages, tags and admin."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone

from academy import recommendations, rules
from academy.models import CaseStudy, Course, Lesson, LessonLink, ReadingProgress, Topic
from academy.search import search_lesson_hits
from common import config


def published_lessons():
    return Lesson.objects.filter(status=Lesson.Status.PUBLISHED)


def read_lesson_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(ReadingProgress.objects.filter(merchant=user).values_list("lesson_id", flat=True))


@dataclass
class CourseProgress:
    course: Course
    total: int
    read: int

    @property
    def percent(self) -> int:
        return rules.completion_percent(self.read, self.total)

    @property
    def completed(self) -> bool:
        return rules.course_completed(self.read, self.total)


def course_catalogue(user) -> list[CourseProgress]:
    """Courses with published lessons, and how far `user` has read each (two queries)."""
    published = Q(lessons__status=Lesson.Status.PUBLISHED)
    courses = (Course.objects.annotate(total=Count("lessons", filter=published))
               .filter(total__gt=0).order_by("order", "pk"))
    read_per_course = dict(
        ReadingProgress.objects.filter(merchant=user, lesson__status=Lesson.Status.PUBLISHED)
        .values_list("lesson__course_id").annotate(n=Count("pk")).order_by())
    return [CourseProgress(c, c.total, read_per_course.get(c.pk, 0)) for c in courses]


def course_for_merchant(slug: str) -> Course:
    course = Course.objects.filter(slug=slug).first()
    if course is None or not published_lessons().filter(course=course).exists():
        raise Http404
    return course


def course_lessons(course: Course):
    return published_lessons().filter(course=course).order_by("order", "pk")


def lesson_for_merchant(slug: str) -> Lesson:
    lesson = (published_lessons().select_related("course").prefetch_related("topics")
              .filter(slug=slug).first())
    if lesson is None:
        raise Http404
    return lesson


def lesson_neighbours(lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
    """The previous and next published lessons in reading order, across courses."""
    order = list(published_lessons().order_by("course__order", "course_id", "order", "pk")
                 .values_list("pk", flat=True))
    at = order.index(lesson.pk)
    wanted = {pk for pk in (order[at - 1] if at > 0 else None,
                            order[at + 1] if at + 1 < len(order) else None) if pk}
    found = {x.pk: x for x in Lesson.objects.filter(pk__in=wanted).only("slug", "title")}
    previous = found.get(order[at - 1]) if at > 0 else None
    following = found.get(order[at + 1]) if at + 1 < len(order) else None
    return previous, following


def topics_with_lessons():
    return (Topic.objects.annotate(n=Count("lessons", filter=Q(
        lessons__status=Lesson.Status.PUBLISHED))).filter(n__gt=0).order_by("order", "pk"))


def topic_for_merchant(slug: str) -> Topic:
    topic = Topic.objects.filter(slug=slug).first()
    if topic is None:
        raise Http404
    return topic


def topic_lessons(topic: Topic):
    return published_lessons().filter(topics=topic).select_related("course")


def case_studies():
    return CaseStudy.objects.filter(published=True).select_related("lesson").order_by(
        "order", "pk")


def case_study_for_merchant(slug: str) -> CaseStudy:
    case = case_studies().filter(slug=slug).first()
    if case is None:
        raise Http404
    return case


@dataclass
class SearchResult:
    lesson: Lesson
    snippet: str
    rank: float


def search_lessons(query: str) -> list[SearchResult]:
    """Published lessons matching `query`, best first, each with a highlighted snippet."""
    hits = search_lesson_hits(query)
    lessons = published_lessons().select_related("course").in_bulk([h.lesson_id for h in hits])
    return [SearchResult(lessons[h.lesson_id], h.snippet, h.rank)
            for h in hits if h.lesson_id in lessons]


def lesson_for_rule(kind: str, key) -> Lesson | None:
    """The published lesson reviewers linked to a rule, if any."""
    link = (LessonLink.objects.filter(kind=kind, key="" if key is None else str(key),
                                      lesson__status=Lesson.Status.PUBLISHED)
            .select_related("lesson").first())
    return link.lesson if link else None


def published_lesson_links() -> dict[tuple[str, str], Lesson]:
    """Every rule → published lesson link (a small table), for pages showing many rules."""
    links = (LessonLink.objects.filter(lesson__status=Lesson.Status.PUBLISHED)
             .select_related("lesson").only("kind", "key", "lesson__slug", "lesson__title"))
    return {(link.kind, link.key): link.lesson for link in links}


def _norm(pairs) -> list[tuple[str, str]]:
    return [(str(kind), "" if key is None else str(key)) for kind, key in pairs]


def _lessons_by_rule(pairs) -> dict[tuple[str, str], Lesson]:
    match = Q()
    for kind, key in set(pairs):
        match |= Q(kind=kind, key=key)
    if not pairs:
        return {}
    links = (LessonLink.objects.filter(match, lesson__status=Lesson.Status.PUBLISHED)
             .select_related("lesson__course"))
    return {(link.kind, link.key): link.lesson for link in links}


def lessons_for_rules(pairs) -> list[Lesson]:
    """Published lessons linked to any of the (kind, key) pairs, in the pairs' order, each
    once (one query)."""
    pairs = _norm(pairs)
    by_rule = _lessons_by_rule(pairs)
    seen, out = set(), []
    for pair in pairs:
        lesson = by_rule.get(pair)
        if lesson is not None and lesson.pk not in seen:
            seen.add(lesson.pk)
            out.append(lesson)
    return out


@dataclass
class Recommendation:
    lesson: Lesson
    because: list[recommendations.RuleHit]


def recommended_lessons(user, *, now=None) -> list[Recommendation]:
    """Lessons explaining the rules that bit `user` recently (rejections, violations,
    missed clocks, as the registered sources report them), most recent first."""
    now = now or timezone.now()
    since = now - timedelta(days=config.get("academy.recommendation_days"))
    hits = recommendations.collect(user, since=since, now=now)
    by_rule = _lessons_by_rule(_norm((h.kind, h.key) for h in hits))
    out: dict[int, Recommendation] = {}
    for hit in hits:
        lesson = by_rule.get((hit.kind, hit.key))
        if lesson is None:
            continue
        if lesson.pk not in out:
            out[lesson.pk] = Recommendation(lesson, [])
        out[lesson.pk].because.append(hit)
    return list(out.values())[:config.get("academy.recommendation_limit")]
