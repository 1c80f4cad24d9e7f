"""Violations migrated from after-sale events (0008) deducted their points but started no
node restriction. This applies what the live path would have applied: for each of their
deductions, in the order they happened, `compliance.enforcement.rules.deduction_plan` (the
rules function `violation_record` uses) with the credit restrictions running at that moment.
A restriction starts when its node was reached and keeps its clock from then: one whose
clock has already run out is not started; a running lighter one is replaced by the heavier.

Idempotent: a violation that already has restrictions is skipped, and the plan of one that
has none is measured against the restrictions running when it happened, which this
migration does not change for the past."""

from django.db import migrations
from django.db.models import Q
from django.utils import timezone

from compliance.enforcement import rules

NODE_DEFAULTS = [(80, 14), (60, 21), (40, 28), (20, 42), (0, 0)]  # the declared defaults


def _nodes(apps):
    setting = apps.get_model("common", "PlatformSetting")
    values = dict(setting.objects.filter(key__startswith="credit.node")
                  .values_list("key", "value"))
    pairs = []
    for index, (score, days) in enumerate(NODE_DEFAULTS, start=1):
        pairs.append((values.get(f"credit.node{index}.score", score),
                      values.get(f"credit.node{index}.days", days)))
    return rules.nodes_from(pairs)


def apply_nodes(apps, *, now) -> int:
    """Start the node restrictions of migrated after-sale violations; returns how many."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    CreditScore = apps.get_model("compliance", "CreditScore")
    CreditScoreEntry = apps.get_model("compliance", "CreditScoreEntry")
    Restriction = apps.get_model("compliance", "Restriction")
    RestrictionEvent = apps.get_model("compliance", "RestrictionEvent")
    request_type = ContentType.objects.filter(app_label="disputes",
                                              model="aftersalerequest").first()
    if request_type is None:
        return 0
    nodes = _nodes(apps)
    entries = (CreditScoreEntry.objects
               .filter(kind="deduction", violation__source_type=request_type)
               .exclude(violation__status="revoked")
               .select_related("violation").order_by("at", "pk"))
    started = 0
    for entry in entries:
        violation = entry.violation
        if Restriction.objects.filter(violation=violation).exists():
            continue
        at = entry.at
        running: dict[str, int] = {}
        then = (Restriction.objects
                .filter(store_id=entry.store_id, node_score__isnull=False, starts_at__lte=at)
                .filter(Q(status="active") | Q(ended_at__gt=at))
                .values_list("kind", "node_score"))
        for kind, node_score in then:
            running[kind] = min(node_score, running.get(kind, node_score))
        before = entry.score_after - entry.change
        plan = rules.deduction_plan(before=before, points=-entry.change, nodes=nodes,
                                    running=running, now=at)
        if plan.node is None:
            continue
        starts = [s for s in plan.starts if s.ends_at is None or s.ends_at > now]
        lighter = (Restriction.objects
                   .filter(store_id=entry.store_id, status="active", node_score__isnull=False,
                           kind__in=plan.supersedes, starts_at__lte=at,
                           node_score__gt=plan.node.score)
                   .order_by("pk"))
        for restriction in lighter:
            restriction.status, restriction.ended_at = "superseded", now
            restriction.save(update_fields=["status", "ended_at"])
            RestrictionEvent.objects.create(
                restriction=restriction, from_status="active", to_status="superseded",
                actor=None, at=now, reason_code="compliance.restriction_superseded",
                reason_params={"node": plan.node.score})
        for start in starts:
            restriction = Restriction.objects.create(
                store_id=entry.store_id, kind=start.kind, status="active",
                starts_at=at, ends_at=start.ends_at, violation=violation,
                node_score=start.node.score, score_year=entry.year)
            RestrictionEvent.objects.create(
                restriction=restriction, from_status="", to_status="active", actor=None,
                at=at, reason_code="compliance.node_reached",
                reason_params={"score": plan.after, "node": plan.node.score})
            started += 1
        if plan.reaches_zero:
            CreditScore.objects.filter(store_id=entry.store_id,
                                       zero_reached_at__isnull=True).update(zero_reached_at=at)
    return started


def forwards(apps, schema_editor):
    apply_nodes(apps, now=timezone.now())


class Migration(migrations.Migration):

    dependencies = [
        ("common", "0002_platform_setting"),
        ("compliance", "0015_measure_ban_step"),
        ("disputes", "0008_violation_events_become_violations"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
