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
