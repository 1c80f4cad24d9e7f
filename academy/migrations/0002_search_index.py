"""The search index over the segmented lesson words: an FTS5 table kept in step by
triggers on SQLite, a GIN index over a generated weighted tsvector column on PostgreSQL.

On SQLite, a later migration that makes Django rebuild academy_lesson (most column
changes) drops the triggers with the old table: such a migration must run these
statements again (tests/academy/test_academy_search.py checks that they exist)."""

from django.db import migrations

FTS_COLUMNS = "search_title, search_keywords, search_body, search_inner"

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS academy_lesson_fts USING fts5("
    f"{FTS_COLUMNS}, content='academy_lesson', content_rowid='id')",
    "CREATE TRIGGER IF NOT EXISTS academy_lesson_fts_ai AFTER INSERT ON academy_lesson BEGIN "
    f"INSERT INTO academy_lesson_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.id, new.search_title, new.search_keywords, new.search_body, new.search_inner); END",
    "CREATE TRIGGER IF NOT EXISTS academy_lesson_fts_ad AFTER DELETE ON academy_lesson BEGIN "
    f"INSERT INTO academy_lesson_fts(academy_lesson_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.search_title, old.search_keywords, old.search_body, old.search_inner); END",
    "CREATE TRIGGER IF NOT EXISTS academy_lesson_fts_au AFTER UPDATE ON academy_lesson BEGIN "
    f"INSERT INTO academy_lesson_fts(academy_lesson_fts, rowid, {FTS_COLUMNS}) "
    "VALUES ('delete', old.id, old.search_title, old.search_keywords, old.search_body, old.search_inner); "
    f"INSERT INTO academy_lesson_fts(rowid, {FTS_COLUMNS}) "
    "VALUES (new.id, new.search_title, new.search_keywords, new.search_body, new.search_inner); END",
    "INSERT INTO academy_lesson_fts(academy_lesson_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS academy_lesson_fts_ai",
    "DROP TRIGGER IF EXISTS academy_lesson_fts_ad",
    "DROP TRIGGER IF EXISTS academy_lesson_fts_au",
    "DROP TABLE IF EXISTS academy_lesson_fts",
]
# A stored generated column, so that a query neither re-parses every body nor ranks it
# twice; Django does not know the column and never writes it.
PG_CREATE = [
    "ALTER TABLE academy_lesson ADD COLUMN IF NOT EXISTS search_vector tsvector "
    "GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', search_title), 'A') || "
    "setweight(to_tsvector('simple', search_keywords), 'B') || "
    "setweight(to_tsvector('simple', search_body), 'C') || "
    "setweight(to_tsvector('simple', search_inner), 'D')) STORED",
    "CREATE INDEX IF NOT EXISTS academy_lesson_search_gin ON academy_lesson "
    "USING GIN (search_vector)",
]
PG_DROP = ["DROP INDEX IF EXISTS academy_lesson_search_gin",
           "ALTER TABLE academy_lesson DROP COLUMN IF EXISTS search_vector"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        todo = statements.get(vendor, [])
        with schema_editor.connection.cursor() as cursor:
            for sql in todo:
                cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("academy", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": PG_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": PG_DROP}),
        ),
    ]
