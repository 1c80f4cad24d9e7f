"""Retry a write request that met SQLite's write lock, instead of answering 500.

SQLite lets one connection write at a time. With ``transaction_mode=IMMEDIATE`` (see the
database block in ``config/settings.py``) a transaction takes the write lock at its
``BEGIN`` and waits up to ``SQLITE_BUSY_TIMEOUT_MS`` for it; under a crowd of writers that
wait can still run out, and the view then raises ``OperationalError: database is locked``
with everything it started rolled back.

:class:`SqliteLockRetryMiddleware` runs such a request again, up to ``SQLITE_LOCK_RETRIES``
more times with a short random pause, but only while nothing of it has been written: every
statement is watched (``connection.execute_wrapper``) and once an ``INSERT``, ``UPDATE``,
``DELETE`` or ``REPLACE`` has succeeded, running the request again could do that part
twice. When the retries are used up, or a write already happened, the answer is a 503 with
``Retry-After`` and a translated message (JSON under ``/api/``), logged in one line.

Only write methods are retried (reads do not take the lock), and only when the default
database is SQLite; on PostgreSQL the middleware removes itself at start-up.
"""

from __future__ import annotations

import logging
import random
import re
import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed, RequestDataTooBig
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections
from django.http import HttpResponse
from django.utils.log import log_response
from django.utils.translation import gettext as _

from common.views import _error

logger = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOCK_MESSAGES = ("database is locked", "database table is locked")
_WRITE_STATEMENT = re.compile(r"^\s*(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_MULTIPART = "multipart/form-data"


def is_lock_error(exc: BaseException) -> bool:
    """SQLite's "the write lock could not be had in time" (SQLITE_BUSY / SQLITE_LOCKED)."""
    return isinstance(exc, OperationalError) and any(
        message in str(exc).lower() for message in LOCK_MESSAGES
    )


def is_write_statement(sql: str) -> bool:
    return bool(_WRITE_STATEMENT.match(sql or ""))


def default_database_is_sqlite() -> bool:
    return settings.DATABASES[DEFAULT_DB_ALIAS]["ENGINE"].endswith("sqlite3")


class _WriteTracker:
    """An execute wrapper noting whether a write statement has succeeded."""

    def __init__(self):
        self.wrote = False

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not self.wrote and is_write_statement(sql):
            self.wrote = True
        return result


class _LockedAttempt(HttpResponse):
    """What ``process_exception`` hands back for a locked attempt; never sent as is."""


class SqliteLockRetryMiddleware:
    def __init__(self, get_response):
        if not default_database_is_sqlite():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in WRITE_METHODS:
            return self.get_response(request)
        retries = max(0, int(settings.SQLITE_LOCK_RETRIES))
        if not _keep_body_for_another_attempt(request):
            retries = 0  # too large to keep in memory: the view streams it, once
        connection = connections[DEFAULT_DB_ALIAS]
        attempt = 0
        while True:
            tracker = _WriteTracker()
            request._sqlite_lock_error = None
            with connection.execute_wrapper(tracker):
                response = self.get_response(request)
            error = request._sqlite_lock_error
            if error is None:
                return response
            if tracker.wrote or attempt >= retries:
                return self._busy(request, error, attempts=attempt + 1, wrote=tracker.wrote)
            attempt += 1
            logger.info(
                "SQLite write lock met; running %s %s again (retry %d of %d)",
                request.method, request.path, attempt, retries,
            )
            _pause(attempt)
            _rewind_uploads(request)

    def process_exception(self, request, exception):
        # The view's exception, before Django turns it into a 500 (and logs a traceback):
        # remembered here and answered by __call__, which decides whether to run it again.
        if request.method in WRITE_METHODS and is_lock_error(exception):
            request._sqlite_lock_error = exception
            return _LockedAttempt(status=503)
        return None

    def _busy(self, request, error, *, attempts: int, wrote: bool):
        response = _error(
            request,
            503,
            _("Too busy right now"),
            _(
                "Too many changes are being saved at this moment and part of yours may "
                "not have been saved. Please check it and try again in a moment."
            ) if wrote else _(
                "Too many changes are being saved at this moment and yours was not saved. "
                "Please try again in a moment."
            ),
        )
        response["Retry-After"] = str(settings.SQLITE_LOCK_RETRY_AFTER_SECONDS)
        # One line on django.request (marked as logged, so Django adds no second one).
        log_response(
            "SQLite write lock not obtained (%s) after %d attempt(s)%s: %s %s",
            error,
            attempts,
            "; not run again because a write had succeeded" if wrote else "",
            request.method,
            request.path,
            response=response,
            request=request,
            level="warning",
        )
        return response


def _keep_body_for_another_attempt(request) -> bool:
    """Read the body now so that every attempt can read it again: a multipart POST is
    parsed once (``request.POST``/``FILES`` are kept on the request; files may be larger
    than what Django holds in memory), any other body is kept as bytes (Django parses
    multipart bodies of other methods only when a view asks, from the stream)."""
    if request.method == "POST" and request.content_type == _MULTIPART:
        request.POST  # noqa: B018 - parsing caches the fields and files on the request
        return True
    try:
        request.body  # noqa: B018 - reading caches the bytes on the request
    except RequestDataTooBig:
        # Raised from the declared length, before anything is read.
        return False
    return True


def _rewind_uploads(request) -> None:
    if not hasattr(request, "_files"):
        return
    for _name, uploads in request.FILES.lists():
        for upload in uploads:
            try:
                upload.seek(0)
            except (OSError, ValueError):
                pass  # closed or moved away: the attempt that did so has written


def _pause(attempt: int) -> None:
    # Random, so that the requests that collided do not collide again in step.
    ceiling_ms = settings.SQLITE_LOCK_BACKOFF_MS * attempt
    time.sleep(random.uniform(ceiling_ms / 2, ceiling_ms) / 1000)
