"""After-sale faults recorded as timeline events (``data["violation"]``) become violation
rows of compliance, with the request as their source, counted in the credit score of the
year they happened in. Node restrictions are not started for them after the fact: the next
deduction is measured from the migrated score. Idempotent (one row per request and
kind); the events stay on the timeline and now name their violation."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.utils import timezone

TYPE_OF_KIND = {
    "ruling_merchant_fault": "aftersale_merchant_fault",
    "contact_missed": "aftersale_contact_missed",
    "reship_overdue": "aftersale_reship_overdue",
}
INITIAL_SCORE = 100  # the declared default of credit.initial_score
APPEAL_DAYS = 7  # the declared default of violation.appeal_days


def forwards(apps, schema_editor):
    AfterSaleEvent = apps.get_model("disputes", "AfterSaleEvent")
    Violation = apps.get_model("compliance", "Violation")
    ViolationType = apps.get_model("compliance", "ViolationType")
    ViolationEvent = apps.get_model("compliance", "ViolationEvent")
    CreditScore = apps.get_model("compliance", "CreditScore")
    CreditScoreEntry = apps.get_model("compliance", "CreditScoreEntry")
    ContentType = apps.get_model("contenttypes", "ContentType")
    tz = ZoneInfo(settings.PLATFORM_TIME_ZONE)
    this_year = timezone.now().astimezone(tz).year
    request_type, _ = ContentType.objects.get_or_create(app_label="disputes",
                                                        model="aftersalerequest")
    types = {t.code: t for t in ViolationType.objects.all()}
    events = (AfterSaleEvent.objects.filter(data__has_key="violation")
              .select_related("request").order_by("at", "pk"))
    scores: dict[tuple[int, int], int] = {}
    for event in events:
        vtype = types.get(TYPE_OF_KIND.get(event.data.get("violation"), ""))
        if vtype is None:
            continue
        store_id = event.request.store_id
        if Violation.objects.filter(type=vtype, source_type=request_type,
                                    source_id=str(event.request_id)).exists():
            continue
        local = event.at.astimezone(tz)
        year = local.year
        key = (store_id, year)
        if key not in scores:
            existing = CreditScore.objects.filter(store_id=store_id, year=year).first()
            scores[key] = existing.score if existing else INITIAL_SCORE
        appeal_by = datetime.combine(local.date() + timedelta(days=APPEAL_DAYS),
                                     time(23, 59, 59), tzinfo=tz)
        violation = Violation.objects.create(
            store_id=store_id, type=vtype, source_kind="complaint", source_type=request_type,
            source_id=str(event.request_id), points=vtype.default_points, score_year=year,
            status="in_force", recorded_at=event.at, recorded_by_id=event.actor_id,
            appeal_by=appeal_by, reason=event.reason, reason_code=event.reason_code,
            reason_params=event.reason_params)
        ViolationEvent.objects.create(
            violation=violation, from_status="", to_status="in_force", actor_id=event.actor_id,
            at=event.at, reason_code="compliance.violation_recorded",
            reason_params={"type": vtype.name, "points": vtype.default_points})
        before = scores[key]
        scores[key] = max(0, before - vtype.default_points)
        CreditScoreEntry.objects.create(
            store_id=store_id, year=year, kind="deduction", change=scores[key] - before,
            score_after=scores[key], violation=violation, actor_id=event.actor_id, at=event.at,
            reason_code="compliance.credit_deducted",
            reason_params={"points": vtype.default_points, "type": vtype.name})
        event.data = {**event.data, "violation_id": violation.pk}
        event.save(update_fields=["data"])
    for (store_id, year), score in scores.items():
        if year != this_year:
            continue
        CreditScore.objects.update_or_create(store_id=store_id,
                                             defaults={"score": score, "year": year})


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("compliance", "0009_seed_violation_types"),
        ("disputes", "0007_reason_codes_backfill"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
