"""Every django-q2 schedule of the platform, declared once. `setup_schedules` (run by
`make run` and at deploy) creates or updates them idempotently by name."""

from django_q.models import Schedule

SCHEDULES = [
    {
        "name": "enforce_deadlines",
        "func": "common.tasks.enforce_deadlines",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
    },
]


def ensure_schedules() -> list[str]:
    names = []
    for spec in SCHEDULES:
        spec = dict(spec)
        name = spec.pop("name")
        Schedule.objects.update_or_create(name=name, defaults=spec)
        names.append(name)
    return names


def _next_local_time(hour: int, minute: int):
    """The next hh:mm in the platform's time zone (settings.PLATFORM_TIME_ZONE) from now."""
    from datetime import datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.utils import timezone

    tz = ZoneInfo(settings.PLATFORM_TIME_ZONE)
    now = timezone.now().astimezone(tz)
    candidate = datetime.combine(now.date(), time(hour, minute), tzinfo=tz)
    return candidate if candidate > now else candidate + timedelta(days=1)


# Monthly deposit adjustment (保证金动态调整): due at 00:05 on the 1st, platform time.
# django-q2's MONTHLY type adds months to the UTC date (for +08:00 it drifts to the last
# day of the month) and CRON needs croniter, which is not installed; so the task runs
# daily at 00:05 and does the month's run once (idempotent: on other days it finds last
# month finished, or resumes an interrupted run).
SCHEDULES.append({
    "name": "deposits_monthly_adjust",
    "func": "shop.tasks.deposits_monthly_adjust",
    "schedule_type": Schedule.DAILY,
    "next_run": _next_local_time(0, 5),
    "repeats": -1,
})


# The sandbox delivery feed of paid promotions (does nothing unless sandbox mode is on).
SCHEDULES.append({
    "name": "ad_sandbox_feed",
    "func": "promotions.tasks.ad_sandbox_feed",
    "schedule_type": Schedule.MINUTES,
    "minutes": 3,
})
