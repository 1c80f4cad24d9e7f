from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from common import roles
from common.services import health_report


def home(request):
    user = request.user
    if roles.has_role(user, roles.MERCHANT):
        return redirect("seller:dashboard")
    if roles.has_role(user, roles.AGENT):
        return redirect("support:queue")
    if user.is_authenticated and user.is_staff:
        return redirect("admin:index")
    return render(request, "home.html")


@never_cache
def healthz(request):
    report = health_report(max_age=settings.WORKER_HEARTBEAT_MAX_AGE)
    status = 200 if report["database"] == "ok" else 503
    report["status"] = "ok" if status == 200 and report["worker"] == "ok" else "degraded"
    if status != 200:
        report["status"] = "down"
    return JsonResponse(report, status=status)


def favicon(request):
    # Resolved per request: in production the name comes from the collected manifest.
    from django.templatetags.static import static

    return redirect(static("favicon.svg"), permanent=True)


def _wants_json(request) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def _logout_url(request) -> str:
    # Sign out of the area the page belongs to; its login page follows.
    if request.path.startswith("/support/"):
        return reverse("support:logout")
    if request.path.startswith("/admin/"):
        return reverse("admin:logout")
    return reverse("seller:logout")


def _error(request, status: int, title: str, message: str):
    if _wants_json(request):
        return JsonResponse({"detail": str(message), "status": status}, status=status)
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "logout_url": _logout_url(request)},
        status=status,
    )


@requires_csrf_token
def bad_request(request, exception=None, message=None):
    return _error(
        request, 400, _("Bad request"), message or _("The request could not be understood.")
    )


@requires_csrf_token
def permission_denied(request, exception=None):
    message = (
        str(exception)
        if exception and str(exception)
        else _("You do not have permission to open this page.")
    )
    return _error(request, 403, _("Access denied"), message)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _error(
        request,
        404,
        _("Page not found"),
        _("The page you asked for does not exist or is not yours to see."),
    )


@requires_csrf_token
def server_error(request):
    return _error(
        request,
        500,
        _("Something went wrong"),
        _("An unexpected error happened. It has been logged; please try again later."),
    )


def csrf_failure(request, reason=""):
    return _error(
        request,
        403,
        _("Form expired"),
        _("The form was open too long or cookies are blocked. Reload the page and try again."),
    )
