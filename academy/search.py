"""Search over the academy's published lessons, ranked, with highlighted snippets.

Words are segmented by jieba when a lesson is written (`Lesson.search_*`). On SQLite an
FTS5 table over those columns (kept in step by triggers, see migration 0002) answers with
bm25() and snippet(); on PostgreSQL a GIN index over their weighted tsvector (a generated
column) answers with
ts_rank() and ts_headline(). Both use the same segmentation for the query."""

import re
from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from academy.words import query_words, query_words_loose
from common import config

START, STOP = "\x02", "\x03"
# The title counts most, then the summary and topics, then the body, then the shorter
# words found inside the body's words.
SQLITE_WEIGHTS = (10.0, 4.0, 1.0, 0.5)


@dataclass
class Hit:
    lesson_id: int
    rank: float
    snippet: str


def search_lesson_hits(query: str, *, limit: int | None = None) -> list[Hit]:
    limit = limit or config.get("academy.search_results")
    words = query_words(query)
    if not words:
        return []
    hits = _search(words, limit, match_all=True)
    if not hits:
        words = query_words_loose(query)
        hits = _search(words, limit, match_all=False)
    for hit in hits:
        hit.snippet = _highlight(hit.snippet, words)
    return hits


def _search(words: list[str], limit: int, *, match_all: bool) -> list[Hit]:
    if connection.vendor == "postgresql":
        return _search_postgresql(words, limit, match_all=match_all)
    return _search_sqlite(words, limit, match_all=match_all)


def _fts5_query(words: list[str], match_all: bool) -> str:
    quoted = ['"{}"'.format(w.replace('"', '""')) for w in words]
    return (" AND " if match_all else " OR ").join(quoted)


def _search_sqlite(words, limit, *, match_all):
    sql = (
        "SELECT l.id, bm25(academy_lesson_fts, %s, %s, %s, %s) AS rank, "
        "snippet(academy_lesson_fts, 2, %s, %s, '…', %s) "
        "FROM academy_lesson_fts JOIN academy_lesson l ON l.id = academy_lesson_fts.rowid "
        "WHERE academy_lesson_fts MATCH %s AND l.status = 'published' "
        "ORDER BY rank, l.id LIMIT %s"
    )
    params = [*SQLITE_WEIGHTS, START, STOP, config.get("academy.snippet_words"),
              _fts5_query(words, match_all), limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        # bm25 is lower for a better match: turn it into a higher-is-better rank.
        return [Hit(pk, -rank, snippet) for pk, rank, snippet in cursor.fetchall()]


def _tsquery_text(words, match_all):
    quoted = ["'{}'".format(w.replace("'", "''").replace("\\", "\\\\")) for w in words]
    return (" & " if match_all else " | ").join(quoted)


def _search_postgresql(words, limit, *, match_all):
    options = "StartSel={}, StopSel={}, MaxWords={}, MinWords={}, ShortWord=0".format(
        START, STOP, config.get("academy.snippet_words"),
        max(1, config.get("academy.snippet_words") // 2))
    sql = (
        "WITH q AS (SELECT to_tsquery('simple', %s) AS q), "
        "ranked AS ("
        # search_vector: the weighted tsvector (title A, summary and topics B, body C,
        # inner words D), a generated column (migration 0002).
        " SELECT l.id, l.search_body, ts_rank(l.search_vector, q.q) AS rank"
        " FROM academy_lesson l, q"
        " WHERE l.status = 'published' AND l.search_vector @@ q.q"
        " ORDER BY rank DESC, l.id LIMIT %s) "
        "SELECT ranked.id, ranked.rank, ts_headline('simple', ranked.search_body, q.q, %s) "
        "FROM ranked, q ORDER BY ranked.rank DESC, ranked.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [_tsquery_text(words, match_all), limit, options])
        return [Hit(pk, float(rank), snippet) for pk, rank, snippet in cursor.fetchall()]


# A space the segmenter put next to a Chinese word, which the reader must not see.
_SPACE_BY_CJK = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")


def _highlight(snippet: str, words: list[str]) -> str:
    """Segmented snippet text → HTML: the spaces between Chinese words taken out, escaped,
    and every query word in <mark> (also where the database matched it only inside a
    longer word, which its own markers miss)."""
    text = _SPACE_BY_CJK.sub("", (snippet or "").replace(START, "").replace(STOP, ""))
    if not words:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)),
                         re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last:match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(str(part) for part in out))  # noqa: S308 - every part escaped
