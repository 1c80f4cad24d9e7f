"""Reviewers edit the academy in the admin: a rendered preview, order edited in the list,
publish/unpublish through the service, history of every change, the rule → lesson links."""

import pytest

from academy.models import CaseStudy, Course, Lesson, LessonEvent, LessonLink
from academy.search import search_lesson_hits

pytestmark = pytest.mark.django_db


def _form(lesson, **changes):
    data = {
        "course": lesson.course_id, "title": lesson.title, "slug": lesson.slug,
        "summary": lesson.summary, "topics": [t.pk for t in lesson.topics.all()],
        "order": lesson.order, "body": lesson.body,
        "links-TOTAL_FORMS": "0", "links-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
        "_continue": "1",
    }
    data.update(changes)
    return data


def test_reviewer_edits_a_lesson_sees_the_preview_and_the_change_is_searchable(
        reviewer_client):
    lesson = Lesson.objects.get(slug="coupons")
    url = f"/admin/academy/lesson/{lesson.pk}/change/"
    page = reviewer_client.get(url).content.decode()
    assert 'class="academy-preview"' in page and "<li>设置“满 50 减 20”" in page
    body = lesson.body + "\n\n## 裂变券\n\n<script>alert(1)</script>分享裂变券给好友。\n"
    res = reviewer_client.post(url, _form(lesson, body=body))
    assert res.status_code == 302, res.content.decode()[:2000]
    lesson.refresh_from_db()
    assert "<h2>裂变券</h2>" in lesson.body_html and "<script" not in lesson.body_html
    assert [h.lesson_id for h in search_lesson_hits("裂变券")] == [lesson.pk]
    page = reviewer_client.get(url).content.decode()
    assert "<h2>裂变券</h2>" in page.split('class="academy-preview"', 1)[1]
    history = reviewer_client.get(f"/admin/academy/lesson/{lesson.pk}/history/").content.decode()
    assert history.count("t_reviewer") >= 1
    latest = lesson.history.first()
    assert latest.history_user.username == "t_reviewer" and "裂变券" in latest.body


def test_publish_and_unpublish_actions_write_events(reviewer_client, reviewer):
    lesson = Lesson.objects.get(slug="coupons")
    res = reviewer_client.post("/admin/academy/lesson/", {
        "action": "unpublish", "_selected_action": [lesson.pk]})
    assert res.status_code == 302
    lesson.refresh_from_db()
    assert lesson.status == "draft"
    reviewer_client.post("/admin/academy/lesson/", {
        "action": "publish", "_selected_action": [lesson.pk]})
    lesson.refresh_from_db()
    assert lesson.status == "published"
    assert list(LessonEvent.objects.filter(lesson=lesson).values_list(
        "to_status", "actor")) == [("draft", reviewer.pk), ("published", reviewer.pk)]
    # Publishing a published lesson is refused, not repeated.
    reviewer_client.post("/admin/academy/lesson/", {
        "action": "publish", "_selected_action": [lesson.pk]})
    assert LessonEvent.objects.filter(lesson=lesson).count() == 2


def test_the_status_is_not_edited_in_the_form(reviewer_client):
    lesson = Lesson.objects.get(slug="coupons")
    url = f"/admin/academy/lesson/{lesson.pk}/change/"
    reviewer_client.post(url, _form(lesson, status="draft"))
    lesson.refresh_from_db()
    assert lesson.status == "published"


def test_reorder_in_the_list(reviewer_client):
    lessons = list(Lesson.objects.filter(course__slug="live-streaming"))
    course = Course.objects.get(slug="rules")
    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": lessons[0].pk,
            "form-0-order": "7", "_save": "Save"}
    res = reviewer_client.post("/admin/academy/lesson/?course__id__exact="
                               f"{lessons[0].course_id}", data)
    assert res.status_code == 302
    lessons[0].refresh_from_db()
    assert lessons[0].order == 7
    res = reviewer_client.post("/admin/academy/course/", {
        "form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": course.pk,
        "form-0-order": "1", "_save": "Save"}, follow=False)
    assert res.status_code == 302
    course.refresh_from_db()
    assert course.order == 1


def test_reviewers_maintain_rule_links_and_case_studies(reviewer_client):
    lesson = Lesson.objects.get(slug="dsr")
    res = reviewer_client.post("/admin/academy/lessonlink/add/", {
        "kind": "violation_type", "key": "late_shipment", "lesson": lesson.pk, "note": ""})
    assert res.status_code == 302
    link = LessonLink.objects.get(kind="violation_type", key="late_shipment")
    assert link.lesson == lesson and link.history.count() == 1
    dup = reviewer_client.post("/admin/academy/lessonlink/add/", {
        "kind": "violation_type", "key": "late_shipment", "lesson": lesson.pk})
    assert dup.status_code == 200  # the unique (kind, key) refuses a second lesson
    case = CaseStudy.objects.get(slug="xinba")
    res = reviewer_client.post(f"/admin/academy/casestudy/{case.pk}/change/", {
        "name": case.name, "slug": case.slug, "account": case.account,
        "category": case.category, "headline": case.headline,
        "story": "<img src=x onerror=alert(1)>**源头好货**", "figures": "[]",
        "lesson": "", "order": 2, "published": "on"})
    assert res.status_code == 302
    case.refresh_from_db()
    assert "<strong>源头好货</strong>" in case.story_html and "onerror" not in case.story_html
    for url in ["/admin/academy/course/", "/admin/academy/lesson/", "/admin/academy/casestudy/",
                "/admin/academy/lessonlink/", "/admin/academy/topic/",
                "/admin/academy/readingprogress/"]:
        assert reviewer_client.get(url).status_code == 200, url
