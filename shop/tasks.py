"""django-q2 entry points of the shop app: take ids/dates, call one service."""

from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from shop.services.deposits import deposit_monthly_adjust


def deposits_monthly_adjust(sales_month: str | None = None, actor_id: int | None = None):
    """The monthly deposit adjustment (动态调整) for last natural month, or `sales_month`
    ("YYYY-MM-DD"). Scheduled daily at 00:05 platform time: on the 1st it does the month's
    work; on other days it finds the month already finished (or resumes an interrupted
    run) and changes nothing."""
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    month = date.fromisoformat(sales_month) if sales_month else None
    run = deposit_monthly_adjust(sales_month=month, now=timezone.now(), actor=actor)
    return {"sales_month": str(run.sales_month), "status": run.status, "done": run.done,
            "total": run.total, "changed": run.changed}
