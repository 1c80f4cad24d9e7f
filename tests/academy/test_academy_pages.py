"""Merchant pages of the academy through the real URLs and templates."""

import pytest

from academy import recommendations
from academy.models import Lesson, ReadingProgress
from academy.recommendations import RuleHit
from academy.services import lesson_unpublish

pytestmark = pytest.mark.django_db


def test_the_academy_is_for_signed_in_merchants(client, buyer_client):
    res = client.get("/seller/academy/")
    assert res.status_code == 302 and "/seller/login/" in res["Location"]
    assert buyer_client.get("/seller/academy/lessons/flash-sale/").status_code == 403


def test_home_lists_courses_with_progress_topics_and_cases(merchant_client, merchant):
    merchant_client.get("/seller/academy/lessons/live-preparation/")  # its course's one lesson
    page = merchant_client.get("/seller/academy/").content.decode()
    for title in ["认识快手与快手电商", "快手小店功能操作", "规则解析", "直播准备"]:
        assert title in page
    assert '<meter min="0" max="1" value="1">100%</meter>' in page
    assert '<meter min="0" max="6" value="0">0%</meter>' in page
    assert 'href="/seller/academy/topics/rules/"' in page
    assert "韩承浩" in page
    # The seller navigation links the academy and marks it active.
    assert 'href="/seller/academy/"' in page and 'aria-current="page"' in page


def test_lesson_page_marks_read_and_shows_outline_and_neighbours(merchant_client, merchant):
    page = merchant_client.get("/seller/academy/lessons/flash-sale/").content.decode()
    assert ReadingProgress.objects.filter(merchant=merchant, lesson__slug="flash-sale").exists()
    assert "秒杀时长" in page and "<table>" in page
    assert 'rel="prev" href="/seller/academy/lessons/yellow-cart/"' in page
    assert 'rel="next" href="/seller/academy/lessons/coupons/"' in page
    # The outline lists the course's lessons; the current one is marked.
    for slug in ["open-store", "paid-promotion"]:
        assert f'href="/seller/academy/lessons/{slug}/"' in page
    assert 'aria-current="page" class="current"><a href="/seller/academy/lessons/flash-sale/"' in page
    assert 'name="viewport"' in page  # phones
    # Across courses: the last lesson of a course leads to the next course's first.
    page = merchant_client.get("/seller/academy/lessons/paid-promotion/").content.decode()
    assert 'rel="next" href="/seller/academy/lessons/account-positioning/"' in page
    first = merchant_client.get("/seller/academy/lessons/kuaishou-intro/").content.decode()
    assert 'rel="prev"' not in first


def test_a_draft_lesson_is_not_shown(merchant_client, reviewer):
    lesson_unpublish(lesson=Lesson.objects.get(slug="coupons"), actor=reviewer)
    assert merchant_client.get("/seller/academy/lessons/coupons/").status_code == 404
    page = merchant_client.get("/seller/academy/lessons/flash-sale/").content.decode()
    assert "/lessons/coupons/" not in page
    assert 'rel="next" href="/seller/academy/lessons/lightning-purchase/"' in page
    assert merchant_client.get("/seller/academy/lessons/nope/").status_code == 404


def test_course_topic_and_case_pages(merchant_client):
    course = merchant_client.get("/seller/academy/courses/rules/").content.decode()
    assert "保证金收取与关店退保证金" in course
    assert '<meter min="0" max="6" value="0">0%</meter>' in course
    topic = merchant_client.get("/seller/academy/topics/live/").content.decode()
    assert "直播准备" in topic and "挂小黄车" in topic
    cases = merchant_client.get("/seller/academy/cases/").content.decode()
    for name in ["韩承浩", "辛巴", "宋花道", "娃娃", "玉工匠", "醉鹅娘"]:
        assert name in cases
    case = merchant_client.get("/seller/academy/cases/leobeauty/").content.decode()
    assert "LeoBeauty" in case and "1000 万+" in case and "/lessons/selling-beauty/" in case
    assert merchant_client.get("/seller/academy/courses/nope/").status_code == 404


def test_search_page_shows_ranked_highlighted_results(merchant_client):
    page = merchant_client.get("/seller/academy/search/", {"q": "七天无理由"}).content.decode()
    results = page.split('class="search-results"', 1)[1]
    assert results.index("七天无理由退款与运费规则") < results.index("上传商品")
    assert "<mark>七天无理由</mark>" in results
    hostile = merchant_client.get("/seller/academy/search/",
                                  {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in hostile
    empty = merchant_client.get("/seller/academy/search/", {"q": "不存在的词语组合xyz"})
    assert empty.status_code == 200


def test_recommended_for_you_comes_from_registered_sources(merchant_client, merchant,
                                                           other_merchant):
    def source(user, *, since, now):
        if user != merchant:
            return []
        return [RuleHit("aftersale_clock", "receive_by", now),
                ("screening_rule", "absolute_terms", since),
                ("violation_type", "unlinked_rule")]

    recommendations.register(source)
    try:
        page = merchant_client.get("/seller/academy/").content.decode()
        rec = page.split("recommended", 1)[1].split("</section>", 1)[0]
        assert rec.index("消费者保障") < rec.index("短视频注意事项")
        from academy.selectors import recommended_lessons
        assert recommended_lessons(other_merchant) == []
    finally:
        recommendations.unregister(source)
    page = merchant_client.get("/seller/academy/").content.decode()
    assert 'class="card recommended"' not in page
