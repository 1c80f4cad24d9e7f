"""django-q2 entry points: take ids/now, call one service."""

from django.utils import timezone

from common import deadlines
from common.services import worker_heartbeat_record


def enforce_deadlines():
    now = timezone.now()
    result = deadlines.run_all(now)
    worker_heartbeat_record(name="deadlines", now=now, result=result)
    return result


def notification_email_send(notification_id):
    from common.notifications import notification_email_deliver

    return notification_email_deliver(notification_id=notification_id)
