"""Academy search speed: the time of one query over the whole academy.

Run: ``python bench/academy_search.py``. With ``DATABASE_URL`` set it uses that database
as it is (already migrated: the shipped handbook content is in it); without it, a
throw-away SQLite database in a temporary folder is migrated first. It adds ``--extra N``
more published lessons (default 0) made of the handbook's own text, so the index can be
measured larger than it ships.

For 保证金, 秒杀, 七天无理由 and 小黄车 it prints the median and the slowest of ``ROUNDS``
runs of the search the merchant page makes (segmentation, ranked full-text query,
snippets), and the lesson found first. The segmenter's one-time dictionary load is timed
apart. Exits 1 when a query's median is at or above the target (50 ms).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

QUERIES = ["保证金", "秒杀", "七天无理由", "小黄车"]
ROUNDS = 50
TARGET_MS = 50.0


def _setup(folder: Path | None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    if folder is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    import django

    django.setup()
    if folder is not None:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)


def _add_lessons(extra: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from academy.models import Course, Lesson
    from academy.services import lesson_derived_fields

    if not extra:
        return
    sources = list(Lesson.objects.filter(status="published"))
    course, _ = Course.objects.get_or_create(slug="bench-extra",
                                             defaults={"title": "bench", "order": 999})
    with transaction.atomic():
        for n in range(extra):
            src = sources[n % len(sources)]
            Lesson.objects.create(
                course=course, slug=f"bench-extra-{n}", title=f"{src.title} {n}",
                summary=src.summary, body=src.body, order=n, status="published",
                published_at=timezone.now(),
                **lesson_derived_fields(title=src.title, summary=src.summary, body=src.body))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=int, default=0, help="more lessons to index")
    args = parser.parse_args()
    folder = None if os.environ.get("DATABASE_URL") else Path(tempfile.mkdtemp())
    try:
        from academy.words import tokenizer  # jieba only, no Django

        started = time.perf_counter()
        tokenizer()
        print(f"segmenter dictionary loaded once in {(time.perf_counter() - started):.2f} s")
        _setup(folder)
        from django.db import connection

        from academy.models import Lesson
        from academy.selectors import search_lessons

        _add_lessons(args.extra)
        total = Lesson.objects.filter(status="published").count()
        print(f"{connection.vendor}: {total} published lessons; {ROUNDS} runs per query")
        failed = False
        for query in QUERIES:
            times = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                results = search_lessons(query)
                times.append((time.perf_counter() - started) * 1000)
            median, worst = statistics.median(times), max(times)
            first = results[0].lesson.slug if results else "—"
            print(f"  {query:<6} median {median:6.2f} ms  slowest {worst:6.2f} ms  "
                  f"{len(results):3d} results, first: {first}")
            failed |= median >= TARGET_MS
        print(f"target: under {TARGET_MS:.0f} ms per query — {'FAILED' if failed else 'ok'}")
        if args.extra:
            Lesson.objects.filter(course__slug="bench-extra").delete()
        return 1 if failed else 0
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
