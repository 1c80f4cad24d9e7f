"""Reads of enforcement. `restrictions_for` is the one answer to "is this store restricted
from doing X now, why, and until when", asked by product submission, campaign sign-up,
ordering and withdrawals."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.enforcement import rules
from compliance.enforcement.models import (
    CreditScore,
    CreditScoreEntry,
    Measure,
    Restriction,
    SamplingInspection,
    Violation,
    ViolationType,
)
from compliance.enforcement.services import (
    credit_nodes,
    initial_score,
    platform_tz,
    running_node_restrictions,
)

PUBLISH, CAMPAIGN, CART, FUNDS, WARNING = (rules.PUBLISH, rules.CAMPAIGN, rules.CART,
                                           rules.FUNDS, rules.WARNING)


def _in_force(now: datetime) -> Q:
    return Q(status=Restriction.Status.ACTIVE, starts_at__lte=now) & (
        Q(ends_at__isnull=True) | Q(ends_at__gt=now))


def restrictions_for(store, kind: str | None, now: datetime | None = None) -> list[Restriction]:
    """The store's restrictions of `kind` (None: of every kind) in force at `now`, the
    longest-running first (a permanent one first). Empty: the store is not restricted."""
    now = now or timezone.now()
    store_id = getattr(store, "pk", store)
    rows = Restriction.objects.filter(_in_force(now), store_id=store_id)
    if kind is not None:
        rows = rows.filter(kind=kind)
    rows = list(rows.select_related("violation__type", "measure"))
    rows.sort(key=lambda r: (r.ends_at is not None, -(r.ends_at.timestamp() if r.ends_at
                                                      else 0), r.pk))
    return rows


def restriction_until_text(restriction: Restriction) -> str:
    if restriction.ends_at is None:
        return _("permanently")
    return _("until %(until)s") % {
        "until": timezone.localtime(restriction.ends_at, platform_tz()).strftime(
            "%Y-%m-%d %H:%M")}


def restriction_message(restriction: Restriction) -> str:
    """Why and until when, for the merchant."""
    if restriction.node_score is not None:
        why = _("the credit score reached the node of %(node)s points") % {
            "node": restriction.node_score}
        if restriction.violation_id:
            why = _("%(why)s (violation: %(type)s)") % {
                "why": why, "type": restriction.violation.type.name}
    elif restriction.measure_id:
        why = _("market-management measure: %(measure)s") % {
            "measure": restriction.measure.get_kind_display()}
    else:
        why = _("a market-management measure")
    return _("%(what)s %(until)s: %(why)s.") % {
        "what": restriction.get_kind_display(), "until": restriction_until_text(restriction),
        "why": why}


def restriction_messages(store, kind: str, now: datetime | None = None) -> list[str]:
    return [restriction_message(r) for r in restrictions_for(store, kind, now)]


def store_has_open_cases(store) -> bool:
    """Does the store have a violation appeal waiting for a reviewer or a sampling
    inspection not decided for good (the closure checklist waits for them)?"""
    return (Violation.objects.filter(store=store, status=Violation.Status.APPEALED).exists()
            or SamplingInspection.objects.filter(store=store,
                                                 status__in=rules.OPEN_SAMPLING).exists())


def credit_barred(*, applicant=None, credit_code: str = "") -> bool:
    """May this person or business not apply for a store again (a store of theirs reached
    a credit score of 0)?"""
    condition = Q()
    if applicant is not None and getattr(applicant, "pk", None):
        condition |= Q(store__merchant=applicant)
    if credit_code:
        condition |= Q(store__application__credit_code=credit_code)
    if not condition:
        return False
    return CreditScore.objects.filter(condition, zero_reached_at__isnull=False).exists()


# --- the credit score ----------------------------------------------------------------------------
def credit_score_of(store, now: datetime | None = None) -> int:
    """The store's score this year (the initial score when nothing was deducted yet)."""
    now = now or timezone.now()
    row = CreditScore.objects.filter(store=store).first()
    if row is None or row.year < rules.score_year(now, platform_tz()):
        return initial_score()
    return row.score


@dataclass(frozen=True)
class Preview:
    before: int
    after: int
    crossed: tuple
    node: object
    starts: tuple  # (kind label, ends_at or None)
    kept: tuple  # kind labels of running restrictions that stay instead
    reaches_zero: bool


def credit_deduction_preview(store, points: int, now: datetime | None = None) -> Preview:
    """What recording a violation of `points` would do: the score after, the nodes
    crossed, which restrictions start and until when."""
    now = now or timezone.now()
    store_id = getattr(store, "pk", store)
    plan = rules.deduction_plan(before=credit_score_of(store_id, now), points=points,
                                nodes=credit_nodes(),
                                running=running_node_restrictions(store_id), now=now)
    labels = dict(Restriction.Kind.choices)
    return Preview(
        before=plan.before, after=plan.after, crossed=plan.crossed, node=plan.node,
        starts=tuple((labels[s.kind], s.ends_at) for s in plan.starts),
        kept=tuple(labels[k] for k in plan.kept), reaches_zero=plan.reaches_zero)


def credit_history(store, *, limit: int = 100) -> list[CreditScoreEntry]:
    return list(CreditScoreEntry.objects.filter(store=store)
                .select_related("violation__type").order_by("-at", "-pk")[:limit])


def credit_history_of_year(store, year: int) -> list[CreditScoreEntry]:
    """The year's score changes, oldest first."""
    return list(CreditScoreEntry.objects.filter(store=store, year=year)
                .select_related("violation__type").order_by("at", "pk"))


def merchant_store(user):
    """The merchant's store (the scoped read every merchant page starts from), through the
    model violations point at."""
    store_model = Violation._meta.get_field("store").related_model
    return store_model.objects.for_merchant(user).first()


def store_by_id(pk: int):
    store_model = Violation._meta.get_field("store").related_model
    return store_model.objects.filter(pk=pk).select_related("merchant").first()


def product_by_id(pk: int):
    product_model = Measure._meta.get_field("product").related_model
    return product_model.objects.filter(pk=pk).first()


def order_by_id(pk: int):
    order_model = SamplingInspection._meta.get_field("sample_order").related_model
    return order_model.objects.filter(pk=pk).first()


def merchant_violations(user):
    return (Violation.objects.for_merchant(user).select_related("type")
            .order_by("-recorded_at", "-pk"))


def merchant_restrictions_in_force(user, now: datetime | None = None) -> list[Restriction]:
    now = now or timezone.now()
    return list(Restriction.objects.for_merchant(user).filter(_in_force(now))
                .select_related("violation__type").order_by("ends_at", "pk"))


def violation_appeal_queue():
    return Violation.objects.filter(status=Violation.Status.APPEALED)


def violation_types_active():
    return ViolationType.objects.filter(active=True).order_by("name")


def merchant_inspections(user):
    """The merchant's sampling inspections with a result (the notices it receives)."""
    return (SamplingInspection.objects.for_merchant(user)
            .exclude(status__in=[rules.S_SELECTED, rules.S_SAMPLE_ORDERED, rules.S_AT_LAB])
            .select_related("product", "lab").order_by("-notified_at", "-pk"))


def sampling_review_queue():
    """Inspections waiting for a reviewer's next step."""
    return SamplingInspection.objects.filter(status__in=[
        rules.S_SELECTED, rules.S_SAMPLE_ORDERED, rules.S_AT_LAB, rules.S_APPEALED,
        rules.S_RETESTING])
