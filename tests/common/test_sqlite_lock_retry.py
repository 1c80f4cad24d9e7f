"""A write request that meets SQLite's write lock is run again (a bounded number of times)
before anyone sees an error, never after something of it was written; when it cannot be
done the answer is a translated 503 with Retry-After, logged in one line. On PostgreSQL, and
for reads, the middleware does nothing."""

import logging
import sqlite3
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import MiddlewareNotUsed
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse, JsonResponse
from django.test import Client
from django.urls import path
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from common import sqlite_retry
from common.sqlite_retry import SqliteLockRetryMiddleware, is_lock_error, is_write_statement
from config.urls import urlpatterns as project_urlpatterns

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the lock retry is for SQLite only (the laptop default); PostgreSQL waits on row "
    "locks and the middleware removes itself there",
)

BUSY_TITLE = "Too busy right now"
BUSY_TEXT = (
    "Too many changes are being saved at this moment and yours was not saved. "
    "Please try again in a moment."
)

# --- views the tests drive through the real middleware chain --------------------------------
CALLS = {"n": 0, "locked_first": 0, "seen": []}
HOLDER = {}


def _locked():
    return OperationalError("database is locked")


@csrf_exempt
def locked_first_n(request):
    """Raises the lock error on its first CALLS["locked_first"] calls, then writes a row."""
    CALLS["n"] += 1
    if request.content_type == "multipart/form-data":
        doc = request.FILES.get("doc")
        CALLS["seen"].append((request.POST.get("note"), doc.read() if doc else None))
    else:
        CALLS["seen"].append(request.body.decode())
    if CALLS["n"] <= CALLS["locked_first"]:
        raise _locked()
    Group.objects.create(name=f"written-{CALLS['n']}")
    return HttpResponse("saved", status=201)


@csrf_exempt
def streams_then_locked(request):
    """Reads a body larger than Django keeps in memory from the stream, then meets the lock."""
    CALLS["n"] += 1
    CALLS["seen"].append(len(request.read()))
    raise _locked()


@csrf_exempt
def writes_then_locked(request):
    CALLS["n"] += 1
    Group.objects.create(name=f"partial-{CALLS['n']}")
    raise _locked()


@csrf_exempt
def reads_then_locked(request):
    CALLS["n"] += 1
    list(Group.objects.all())
    raise _locked()


@csrf_exempt
def other_operational_error(request):
    CALLS["n"] += 1
    raise OperationalError("no such table: nowhere")


@csrf_exempt
def api_locked(request):
    CALLS["n"] += 1
    raise _locked()


@csrf_exempt
def real_write(request):
    """Writes in a transaction: with another connection holding the write lock, BEGIN
    IMMEDIATE fails with SQLite's own error."""
    CALLS["n"] += 1
    with transaction.atomic():
        Group.objects.create(name=f"real-{CALLS['n']}")
    return JsonResponse({"ok": True}, status=201)


@csrf_exempt
def real_write_after_a_committed_write(request):
    CALLS["n"] += 1
    Group.objects.create(name=f"first-{CALLS['n']}")  # autocommit: written for good
    HOLDER["take"]()
    with transaction.atomic():
        Group.objects.create(name=f"second-{CALLS['n']}")
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [
    path("locked-first/", locked_first_n),
    path("writes-then-locked/", writes_then_locked),
    path("streams-then-locked/", streams_then_locked),
    path("reads-then-locked/", reads_then_locked),
    path("other-error/", other_operational_error),
    path("api/locked/", api_locked),
    path("real-write/", real_write),
    path("real-write-after-write/", real_write_after_a_committed_write),
    # The project's own pages too: the error page links to them.
    *project_urlpatterns,
]


@pytest.fixture(autouse=True)
def _reset(settings):
    CALLS.update(n=0, locked_first=0, seen=[])
    settings.SQLITE_LOCK_RETRIES = 3
    settings.SQLITE_LOCK_BACKOFF_MS = 1
    settings.SQLITE_LOCK_RETRY_AFTER_SECONDS = 2


def _client():
    return Client(raise_request_exception=False)


def _busy_texts(language="zh-hans"):
    with translation.override(language):
        return translation.gettext(BUSY_TITLE), translation.gettext(BUSY_TEXT)


# --- pure helpers ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ('INSERT INTO "auth_group" ("name") VALUES (%s)', True),
        ('  update "shop_order" SET "status" = %s', True),
        ('DELETE FROM "django_session" WHERE 1', True),
        ("REPLACE INTO t VALUES (1)", True),
        ('SELECT "auth_group"."id" FROM "auth_group"', False),
        ("BEGIN IMMEDIATE", False),
        ('SAVEPOINT "s1"', False),
        ("PRAGMA foreign_keys = ON", False),
        ("UPDATED_AT", False),
    ],
)
def test_write_statements_are_recognised(sql, expected):
    assert is_write_statement(sql) is expected


def test_only_lock_errors_count():
    assert is_lock_error(OperationalError("database is locked"))
    assert is_lock_error(OperationalError("database table is locked"))
    assert not is_lock_error(OperationalError("no such table: x"))
    assert not is_lock_error(ValueError("database is locked"))


# --- retried, then answered --------------------------------------------------------------------
@sqlite_only
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_request_whose_first_attempt_met_the_lock_is_answered_by_the_second(caplog):
    CALLS["locked_first"] = 1
    with caplog.at_level(logging.INFO, logger="common.sqlite_retry"):
        response = _client().post(
            "/locked-first/", data=b'{"qty": 2}', content_type="application/json"
        )
    assert response.status_code == 201
    assert [r.getMessage() for r in caplog.records if r.name == "common.sqlite_retry"] == [
        "SQLite write lock met; running POST /locked-first/ again (retry 1 of 3)"
    ]
    assert CALLS["n"] == 2
    # The body was there for the second attempt too.
    assert CALLS["seen"] == ['{"qty": 2}', '{"qty": 2}']
    assert list(Group.objects.values_list("name", flat=True)) == ["written-2"]


@sqlite_only
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_multipart_upload_is_there_again_for_the_retry():
    CALLS["locked_first"] = 2
    upload = SimpleUploadedFile("doc.txt", b"file-bytes")
    response = _client().post("/locked-first/", data={"note": "hi", "doc": upload})
    assert response.status_code == 201
    assert CALLS["seen"] == [("hi", b"file-bytes")] * 3


@sqlite_only
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_after_the_bound_the_answer_is_a_translated_503_with_retry_after(settings, caplog):
    settings.SQLITE_LOCK_RETRIES = 2
    CALLS["locked_first"] = 99
    with caplog.at_level(logging.INFO):
        response = _client().post("/locked-first/", data={"a": "1"})
    assert CALLS["n"] == 3  # the first attempt and two retries
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    title, text = _busy_texts()
    body = response.content.decode()
    assert title in body and text in body
    assert response["Content-Type"].startswith("text/html")
    assert not Group.objects.exists()
    # One line, no traceback, and no "Internal Server Error" from django.request.
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.name for r in records] == ["django.request"]
    assert records[0].exc_info is None
    assert "database is locked" in records[0].getMessage()
    assert "POST /locked-first/" in records[0].getMessage()


@sqlite_only
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_the_api_answer_is_json_in_the_clients_language():
    response = _client().post(
        "/api/locked/", data="{}", content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response.json()["detail"] == BUSY_TEXT
    assert CALLS["n"] == 4


@sqlite_only
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_reads_before_the_lock_do_not_stop_the_retry():
    response = _client().post("/reads-then-locked/")
    assert response.status_code == 503
    assert CALLS["n"] == 4


@sqlite_only
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_body_too_large_to_keep_is_streamed_to_the_view_once(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = _client().generic("PUT", "/streams-then-locked/", b"x" * 1000,
                                 content_type="application/octet-stream")
    assert CALLS["seen"] == [1000]
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert _busy_texts()[1] in response.content.decode()


# --- never replayed after a write ---------------------------------------------------------------
@sqlite_only
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_request_that_already_wrote_is_not_run_again():
    response = _client().post("/writes-then-locked/")
    assert CALLS["n"] == 1
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert list(Group.objects.values_list("name", flat=True)) == ["partial-1"]


# --- with a real lock held by another connection -------------------------------------------------
@pytest.fixture
def lock_holder(settings):
    """A second SQLite connection to the test database that can hold the write lock
    (BEGIN IMMEDIATE); the app's connection waits only briefly for it."""
    connection.ensure_connection()
    holder = sqlite3.connect(
        connection.settings_dict["NAME"], uri=True, timeout=0, isolation_level=None,
        check_same_thread=False,
    )
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout = 20")

    def take():
        holder.execute("BEGIN IMMEDIATE")

    def release():
        if holder.in_transaction:
            holder.execute("ROLLBACK")

    HOLDER.update(take=take, release=release)
    yield HOLDER
    release()
    holder.close()
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA busy_timeout = {settings.SQLITE_BUSY_TIMEOUT_MS}")


@sqlite_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_a_real_lock_released_between_attempts_is_retried_and_written(lock_holder):
    lock_holder["take"]()
    with mock.patch.object(sqlite_retry, "_pause", side_effect=lambda attempt: lock_holder["release"]()):
        response = _client().post("/real-write/")
    assert response.status_code == 201
    assert CALLS["n"] == 2
    assert list(Group.objects.values_list("name", flat=True)) == ["real-2"]


@sqlite_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_a_real_lock_that_stays_is_a_503_after_the_bound(lock_holder, settings):
    settings.SQLITE_LOCK_RETRIES = 1
    lock_holder["take"]()
    response = _client().post("/real-write/", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert CALLS["n"] == 2
    lock_holder["release"]()
    assert not Group.objects.exists()


@sqlite_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_a_real_lock_after_a_committed_write_is_not_replayed(lock_holder):
    response = _client().post("/real-write-after-write/")
    lock_holder["release"]()
    assert response.status_code == 503
    assert CALLS["n"] == 1
    assert list(Group.objects.values_list("name", flat=True)) == ["first-1"]


# --- inert where it does not belong ---------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_reads_are_not_retried():
    response = _client().get("/api/locked/")
    assert response.status_code == 500
    assert CALLS["n"] == 1


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_other_database_errors_are_not_retried():
    response = _client().post("/other-error/")
    assert response.status_code == 500
    assert CALLS["n"] == 1


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_on_postgresql_the_middleware_steps_aside(settings):
    with mock.patch.dict(settings.DATABASES["default"], ENGINE="django.db.backends.postgresql"):
        with pytest.raises(MiddlewareNotUsed):
            SqliteLockRetryMiddleware(lambda request: HttpResponse())
        response = _client().post("/api/locked/", data="{}", content_type="application/json")
    assert response.status_code == 500
    assert CALLS["n"] == 1


def test_sqlite_settings_wait_for_the_lock_at_begin(monkeypatch):
    from config import settings as config_settings

    monkeypatch.setattr(config_settings, "SQLITE_BUSY_TIMEOUT_MS", 1500)
    monkeypatch.setenv("DATABASE_URL", "sqlite:////tmp/example.sqlite3")
    options = config_settings._database_from_env()["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 1.5
    assert "journal_mode=WAL" in options["init_command"]
    monkeypatch.setenv("DATABASE_URL", "postgres://u@127.0.0.1:5432/shop")
    assert "timeout" not in config_settings._database_from_env().get("OPTIONS", {})


def test_the_middleware_wraps_the_views_but_not_the_session():
    from django.conf import settings

    # Inside the size and NUL checks (a refused request is not retried), outside CSRF,
    # authentication and the views (each attempt runs them again).
    order = settings.MIDDLEWARE
    position = order.index("common.sqlite_retry.SqliteLockRetryMiddleware")
    assert position > order.index("common.middleware.RequestSizeLimitMiddleware")
    assert position < order.index("django.middleware.csrf.CsrfViewMiddleware")
    assert position < order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
