"""Fill the stored list columns of existing requests (the nearest clock, finished) and
record the returned-parcel events already noted on a request as handled, so the new
refusal sweep does not note them again."""

from datetime import UTC, datetime

from django.db import migrations
from django.db.models import Count, DateTimeField, Q, Value
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

# Frozen copies (a migration must not follow later edits of disputes.rules).
CLOCKS = (
    "contact_by", "review_by", "buyer_ship_by", "auto_close_at", "receive_by", "reship_by",
    "refusal_refund_by", "quality_review_by", "agent_handle_by",
)
OPEN_STATUSES = ("pending", "awaiting_return", "returning", "awaiting_reship", "ruling_review",
                 "escalated")
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


def fill(apps, schema_editor):
    Request = apps.get_model("disputes", "AfterSaleRequest")
    far = Value(FAR_FUTURE, output_field=DateTimeField())
    Request.objects.update(
        next_deadline=Least(*(Coalesce(name, far) for name in CLOCKS)))
    Request.objects.filter(next_deadline=FAR_FUTURE).update(next_deadline=None)
    Request.objects.filter(~Q(status__in=OPEN_STATUSES)).update(finished=True)
    Request.objects.filter(status__in=OPEN_STATUSES).update(finished=False)

    Intake = apps.get_model("disputes", "RefusedParcelIntake")
    noted = (Request.objects.filter(refusal_tracking__isnull=False)
             .values("refusal_tracking", "refusal_tracking__order", "refusal_tracking__at")
             .annotate(n=Count("pk")).order_by("refusal_tracking"))
    now = timezone.now()
    batch = []
    for row in noted.iterator(chunk_size=1000):
        batch.append(Intake(tracking_event_id=row["refusal_tracking"],
                            order_id=row["refusal_tracking__order"],
                            at=row["refusal_tracking__at"], handled_at=now,
                            requests_touched=row["n"]))
        if len(batch) >= 1000:
            Intake.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    Intake.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0002_next_deadline_and_refusal_intake"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
