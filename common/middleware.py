from django.conf import settings
from django.utils import translation
from django.utils.log import log_response

from common.parsers import NUL_MESSAGE
from common.views import _error, bad_request


class PlatformLocaleMiddleware:
    """Chinese first. Pages use the language picked with the switch (cookie), otherwise
    zh-hans whatever the browser's Accept-Language says. API clients (the buyer app, ERP
    systems) choose with Accept-Language; zh-hans when they don't."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported and request.path.startswith("/api/"):
            if request.headers.get("Accept-Language"):
                language = translation.get_language_from_request(request)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _querydict_has_nul(querydict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in querydict.lists()
    )


def request_has_nul(request) -> bool:
    """A NUL character anywhere a view, a form or a lookup may read text from: the path,
    the query string, form fields, cookies and headers. (JSON bodies: common.parsers.)"""
    if "\x00" in request.path:
        return True
    if _querydict_has_nul(request.GET):
        return True
    if request.method == "POST" and request.content_type in FORM_CONTENT_TYPES:
        if _querydict_has_nul(request.POST):
            return True
    # Cookies: `sessionid="\000..."` unquotes to NUL bytes and would reach the session table.
    if any("\x00" in key or "\x00" in value for key, value in request.COOKIES.items()):
        return True
    return any(
        "\x00" in value
        for key, value in request.META.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    )


class RejectNulBytesMiddleware:
    """PostgreSQL refuses text containing NUL (psycopg raises before the query is sent), so
    `/seller/orders/%00/` or `?q=%00` became a 500 wherever the value reached a query; on
    SQLite the same request passed. Answer 400 (the translated page, or JSON under /api/)
    before sessions, users or views see the request, whatever the database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            response = bad_request(request, message=NUL_MESSAGE)
            log_response(
                "Bad request (NUL character): %s",
                request.path,
                response=response,
                request=request,
            )
            return response
        return self.get_response(request)


class RequestSizeLimitMiddleware:
    """Refuse with 413 a request whose declared body is larger than
    ``settings.REQUEST_MAX_BYTES`` before anything reads it. Django's
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count uploaded files and
    ``FILE_UPLOAD_MAX_MEMORY_SIZE`` only decides when a file goes to a temporary file, so
    without this a 500 MB upload was received in full before a form refused it. The
    per-file cap (``UPLOAD_MAX_BYTES``) is checked again, file by file, in
    ``common.uploads``. Bodies without a Content-Length (chunked) are left to the server in
    front (its body size limit)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        limit = settings.REQUEST_MAX_BYTES
        if limit and declared > limit:
            response = _error(
                request,
                413,
                translation.gettext("Request too large"),
                translation.gettext("The request is too large. Files can be at most %(max_mb)s MB each.")
                % {"max_mb": f"{settings.UPLOAD_MAX_BYTES / (1024 * 1024):g}"},
            )
            response["Connection"] = "close"
            log_response(
                "Request too large (%s bytes): %s",
                declared,
                request.path,
                response=response,
                request=request,
            )
            return response
        return self.get_response(request)
