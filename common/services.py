from datetime import datetime

from django.db import connection
from django.utils import timezone

from common.models import WorkerHeartbeat


def worker_heartbeat_record(*, name: str, now: datetime | None = None, result=None) -> None:
    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"beat_at": now or timezone.now(), "last_result": result or {}}
    )


def health_report(*, now: datetime | None = None, max_age) -> dict:
    now = now or timezone.now()
    report = {"database": "ok", "worker": "unknown"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means the database is down
        report["database"] = f"error: {exc.__class__.__name__}"
        return report
    beat = WorkerHeartbeat.objects.filter(name="deadlines").first()
    if beat is None:
        report["worker"] = "never seen"
    else:
        age = (now - beat.beat_at).total_seconds()
        report["worker_last_seen_seconds"] = int(age)
        report["worker"] = "ok" if age <= max_age.total_seconds() else "stale"
    return report
