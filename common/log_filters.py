"""Logging filters (settings.LOGGING)."""

import logging


class ClientErrorsInOneLine(logging.Filter):
    """Django logs a PermissionDenied (403) or a bad request (400) on `django.request` with
    the exception's traceback. A refusal is the application working, not a bug: keep the
    one line ("Forbidden (Permission denied): /seller/") and drop the traceback. Server
    errors (5xx) keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if status_code is not None and 400 <= status_code < 500:
            record.exc_info = None
            record.exc_text = None
        return True
