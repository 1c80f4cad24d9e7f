"""Merchant pages of the academy (/seller/academy/): read, then at most one service."""

from django.shortcuts import render
from django.urls import path

from academy import selectors, services
from common.access import merchant_required

MAX_QUERY = 100


@merchant_required
def index(request):
    return render(request, "academy/index.html", {
        "recommended": selectors.recommended_lessons(request.user),
        "catalogue": selectors.course_catalogue(request.user),
        "topics": selectors.topics_with_lessons(),
        "cases": selectors.case_studies()[:3],
    })


@merchant_required
def course(request, slug):
    course = selectors.course_for_merchant(slug)
    read = selectors.read_lesson_ids(request.user)
    lessons = list(selectors.course_lessons(course))
    progress = next(p for p in selectors.course_catalogue(request.user) if p.course == course)
    return render(request, "academy/course.html", {
        "course": course, "lessons": lessons, "read": read, "progress": progress})


@merchant_required
def lesson(request, slug):
    lesson = selectors.lesson_for_merchant(slug)
    services.lesson_mark_read(merchant=request.user, lesson=lesson)
    previous, following = selectors.lesson_neighbours(lesson)
    return render(request, "academy/lesson.html", {
        "lesson": lesson,
        "outline": selectors.course_lessons(lesson.course),
        "read": selectors.read_lesson_ids(request.user),
        "previous": previous,
        "next": following,
        "cases": lesson.cases.filter(published=True),
    })


@merchant_required
def topic(request, slug):
    topic = selectors.topic_for_merchant(slug)
    return render(request, "academy/topic.html", {
        "topic": topic, "lessons": selectors.topic_lessons(topic),
        "read": selectors.read_lesson_ids(request.user)})


@merchant_required
def cases(request):
    return render(request, "academy/cases.html", {"cases": selectors.case_studies()})


@merchant_required
def case(request, slug):
    return render(request, "academy/case.html", {"case": selectors.case_study_for_merchant(slug)})


@merchant_required
def search(request):
    query = (request.GET.get("q") or "").strip()[:MAX_QUERY]
    results = selectors.search_lessons(query) if query else []
    return render(request, "academy/search.html", {"query": query, "results": results})


urlpatterns = [
    path("", index, name="index"),
    path("search/", search, name="search"),
    path("courses/<slug:slug>/", course, name="course"),
    path("lessons/<slug:slug>/", lesson, name="lesson"),
    path("topics/<slug:slug>/", topic, name="topic"),
    path("cases/", cases, name="cases"),
    path("cases/<slug:slug>/", case, name="case"),
]
