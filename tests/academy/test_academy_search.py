"""Search in Chinese over the whole academy: jieba segments at write time, the database's
full-text index ranks (FTS5 bm25 on SQLite, ts_rank on PostgreSQL), results carry
highlighted snippets. The handbook's content answers the merchants' common queries with
the right lesson first."""

import pytest
from django.db import connection

from academy import words
from academy.models import Course, Lesson
from academy.search import search_lesson_hits
from academy.selectors import search_lessons
from academy.services import lesson_publish, lesson_refresh, lesson_unpublish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("query", "first"), [
    ("保证金", "rules-deposits"),
    ("秒杀", "flash-sale"),
    ("七天无理由", "rules-seven-day-returns"),
    ("小黄车", "yellow-cart"),
    ("闪电购", "lightning-purchase"),
    ("信用分", "rules-violations"),
    ("DSR", "dsr"),
])
def test_common_queries_find_the_right_lesson_first(query, first):
    results = search_lessons(query)
    assert results, query
    assert results[0].lesson.slug == first
    assert f"<mark>{query}</mark>" in results[0].snippet
    ranks = [r.rank for r in results]
    assert ranks == sorted(ranks, reverse=True)


def test_more_than_one_lesson_is_found_and_snippets_read_as_chinese():
    results = search_lessons("小黄车")
    assert len(results) >= 3
    snippet = results[0].snippet
    # The segmenter's spaces are not shown between Chinese words.
    assert "<mark>小黄车</mark>就是快手的购物车" in snippet


def test_a_query_of_several_words_needs_them_all_and_a_shorter_word_finds_a_longer_one():
    both = [r.lesson.slug for r in search_lessons("直播 优惠券")]
    assert both[0] == "coupons"
    assert "rules-deposits" in [r.lesson.slug for r in search_lessons("保证")]


def test_platform_terms_stay_one_word():
    assert words.query_words("小黄车") == ["小黄车"]
    assert words.query_words("七天无理由") == ["七天无理由"]
    body, inner = words.segment_words("支持七天无理由退款的商品")
    assert "七天无理由" in body.split() and "退款" in body.split()
    assert "理由" in inner.split()


def test_the_index_is_the_database_full_text_index():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'academy_lesson_fts%%'")
            names = {row[0] for row in cursor.fetchall()}
            assert {"academy_lesson_fts", "academy_lesson_fts_ai", "academy_lesson_fts_au",
                    "academy_lesson_fts_ad"} <= names
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = "
                           "'academy_lesson_search_gin'")
            assert "gin" in cursor.fetchone()[0].lower()


def test_new_changed_unpublished_and_deleted_lessons_follow_in_the_index(reviewer):
    course = Course.objects.get(slug="store-functions")
    lesson = Lesson.objects.create(course=course, slug="live-gifts", title="直播抽奖",
                                   body="在直播间用福袋抽奖，吸引老铁停留。")
    lesson_refresh(lesson=lesson)
    assert not search_lesson_hits("福袋")  # a draft is not found
    lesson_publish(lesson=lesson, actor=reviewer)
    assert [h.lesson_id for h in search_lesson_hits("福袋")] == [lesson.pk]
    lesson.body = "在直播间用红包抽奖。"
    lesson.save()
    lesson_refresh(lesson=lesson)
    assert not search_lesson_hits("福袋")
    assert [h.lesson_id for h in search_lesson_hits("红包 抽奖")][0] == lesson.pk
    lesson_unpublish(lesson=lesson, actor=reviewer)
    assert lesson.pk not in [h.lesson_id for h in search_lesson_hits("红包 抽奖")]
    lesson_publish(lesson=lesson, actor=reviewer)
    lesson.events.all().delete()
    lesson.delete()
    assert lesson.pk not in [h.lesson_id for h in search_lesson_hits("红包 抽奖")]


@pytest.mark.parametrize("query", ['"', "'", "a OR", "NEAR(", "*", "保证金\" OR \"x",
                                   "' & !", ":", "\\", "   ", "。！"])
def test_queries_with_search_syntax_are_words_not_syntax(query):
    search_lesson_hits(query)  # no error
