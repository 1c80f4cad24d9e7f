"""The handbook ships as the academy's initial content: after `migrate` on an empty
database every chapter, lesson, case study and rule link is there, repaired and rendered."""

import pytest

from academy import content
from academy.models import CaseStudy, Course, Lesson, LessonLink, Topic

pytestmark = pytest.mark.django_db

CHAPTERS = {
    "about-kuaishou": ["kuaishou-intro", "kuaishou-ecommerce", "platform-campaigns"],
    "store-functions": ["open-store", "list-products", "yellow-cart", "flash-sale", "coupons",
                        "lightning-purchase", "selection-center", "paid-promotion"],
    "selling-methods": ["account-positioning", "selling-clothing", "selling-beauty",
                        "selling-food", "selling-novelty"],
    "short-video": ["video-shooting", "video-covers", "video-content", "video-publishing",
                    "video-rules", "video-promotion"],
    "live-streaming": ["live-preparation"],
    "fan-growth": ["fans-first", "fan-growth-methods", "fan-engagement"],
    "store-operations": ["product-selection", "store-decoration", "store-activities", "dsr"],
    "rules": ["rules-onboarding", "rules-deposits", "rules-sampling", "rules-violations",
              "rules-consumer-protection", "rules-seven-day-returns"],
}
STREAMERS = {"韩承浩": "LeoBeauty", "辛巴": "188888880", "宋花道": "songhuadao",
             "娃娃": "wawawawa", "玉工匠": "jinsiyuchen", "醉鹅娘": "zuieniang"}
# What the PDF extraction's synonym filter wrote instead of the handbook's words.
GARBLED = ["爆光", "疗效", "两天无理由", "退票", "乳品标签", "乳品经营许可", "手动关掉",
           "手动退货", "手动照相", "降低爆光", "降低粉丝", "店面保证金", "订购推广"]


def test_every_chapter_and_lesson_is_published_in_order_after_migrate():
    courses = list(Course.objects.order_by("order").values_list("slug", flat=True))
    assert courses == list(CHAPTERS)
    for slug, lessons in CHAPTERS.items():
        got = list(Lesson.objects.filter(course__slug=slug).order_by("order")
                   .values_list("slug", flat=True))
        assert got == lessons
    assert not Lesson.objects.exclude(status=Lesson.Status.PUBLISHED).exists()
    assert Lesson.objects.filter(published_at__isnull=True).count() == 0


def test_the_benchmark_streamers_are_case_studies():
    cases = dict(CaseStudy.objects.values_list("name", "account"))
    assert cases == STREAMERS
    leo = CaseStudy.objects.get(account="LeoBeauty")
    assert "1000 万" in leo.story_html and leo.lesson.slug == "selling-beauty"
    assert {"label": "单日销售额", "value": "1000 万+"} in leo.figures


def test_lessons_are_rendered_with_their_tables_and_topics():
    deposits = Lesson.objects.get(slug="rules-deposits")
    assert deposits.body_html.count("<table>") == 3
    assert "<td>翡翠成品</td>" in deposits.body_html and "<td>20000</td>" in deposits.body_html
    credit = Lesson.objects.get(slug="rules-violations")
    assert "<th>信用分节点</th>" in credit.body_html and "<td>42 天</td>" in credit.body_html
    assert set(deposits.topics.values_list("name", flat=True)) == {"规则"}
    assert Topic.objects.count() == len(content.index()["topics"])
    for lesson in Lesson.objects.all():
        assert lesson.body_html.strip(), lesson.slug
        assert lesson.search_title and lesson.search_body, lesson.slug


def test_the_extraction_garbling_is_repaired():
    for lesson in Lesson.objects.all():
        for word in GARBLED:
            assert word not in lesson.body, (lesson.slug, word)
            assert word not in lesson.title + lesson.summary, (lesson.slug, word)
    returns = Lesson.objects.get(slug="rules-seven-day-returns")
    assert "七天无理由退款" in returns.body and "次日零时" in returns.body
    food = Lesson.objects.get(slug="rules-onboarding")
    assert "食品经营许可证" in food.body and "食品标签" in food.body


def test_rule_links_are_seeded_for_the_rules_merchants_meet():
    links = {(k, key): slug for k, key, slug in
             LessonLink.objects.values_list("kind", "key", "lesson__slug")}
    assert links[("deposit_page", "")] == "rules-deposits"
    assert links[("aftersale_clock", "review_by")] == "rules-consumer-protection"
    assert links[("credit_node", "80")] == "rules-violations"
    assert links[("screening_rule", "absolute_terms")] == "video-rules"
    assert links[("closure_checklist", "quiet_period")] == "rules-deposits"


def test_loading_the_content_again_changes_nothing():
    from django.utils import timezone

    from academy import models

    before = (Lesson.objects.count(), CaseStudy.objects.count(), LessonLink.objects.count())
    content.load({n: getattr(models, n) for n in ["Topic", "Course", "Lesson", "LessonLink",
                                                  "CaseStudy"]}, now=timezone.now())
    after = (Lesson.objects.count(), CaseStudy.objects.count(), LessonLink.objects.count())
    assert before == after == (36, 6, len(content.index()["links"]))
