"""What a locked-out sign-in is told, on the pages and in the API.

django-axes locks a username + client address pair after `LOGIN_FAILURE_LIMIT` failures
(settings.AXES_*). Without this module the API answered a correct password during the lock
with "Unable to log in with provided credentials", and the pages did not say for how long.
Both now say that the account is locked here and how many minutes remain.
"""

import math
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from common.client_ip import client_ip


def lockout_remaining(request, username: str | None) -> timedelta:
    """How long until this username may sign in again from this client's address.

    The lock lasts the cool-off from the pair's latest recorded failure (failures during
    the lock are not recorded: AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT is off)."""
    cool_off = get_cool_off(request) or timedelta(0)
    latest = AccessAttempt.objects.filter(
        username=username, ip_address=client_ip(request)
    ).aggregate(latest=Max("attempt_time"))["latest"]
    if latest is None:
        return cool_off
    return max(latest + cool_off - timezone.now(), timedelta(0))


def lockout_message(remaining: timedelta) -> str:
    minutes = max(1, math.ceil(remaining.total_seconds() / 60))
    return ngettext(
        "Too many failed sign-in attempts: this account cannot sign in from your address "
        "for %(minutes)d more minute.",
        "Too many failed sign-in attempts: this account cannot sign in from your address "
        "for %(minutes)d more minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_json(request, username: str | None) -> JsonResponse:
    remaining = lockout_remaining(request, username)
    seconds = max(1, math.ceil(remaining.total_seconds()))
    response = JsonResponse(
        {
            "detail": lockout_message(remaining),
            "code": "locked_out",
            "retry_after": seconds,
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the answer to a sign-in that axes refused."""
    username = get_client_username(request, credentials)
    if request.path.startswith("/api/"):
        return lockout_json(request, username)
    remaining = lockout_remaining(request, username)
    response = render(
        request,
        "registration/locked_out.html",
        {"message": lockout_message(remaining)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    response["Retry-After"] = str(max(1, math.ceil(remaining.total_seconds())))
    return response
