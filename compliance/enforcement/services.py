"""Every write of enforcement: recording a violation (the one service other apps call),
its appeal and decision, the credit score's deductions, restorations and yearly reset, and
the restrictions' clocks."""

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.reasons import Reason, reason_fields
from common.sweeps import sweep_due_rows
from common.uploads import sanitize_filename
from common.workflows import transition_apply
from compliance import hooks
from compliance.enforcement import rules
from compliance.enforcement.conf import CREDIT_NODE_COUNT
from compliance.enforcement.models import (
    CreditScore,
    CreditScoreEntry,
    Restriction,
    RestrictionEvent,
    Violation,
    ViolationEvent,
    ViolationFile,
    ViolationType,
)
from compliance.notifications import notify_restriction_started
from compliance.reasons import R

BATCH_SIZE = 200


def platform_tz() -> ZoneInfo:
    return ZoneInfo(settings.PLATFORM_TIME_ZONE)


def credit_nodes() -> tuple[rules.Node, ...]:
    return rules.nodes_from(
        (config.get(f"credit.node{i}.score"), config.get(f"credit.node{i}.days"))
        for i in range(1, CREDIT_NODE_COUNT + 1))


def initial_score() -> int:
    return config.get("credit.initial_score")


# --- transitions ---------------------------------------------------------------------------------
def violation_transition(violation: Violation, to: str, *, actor, reason: Reason | str = "",
                         now: datetime, fields: dict | None = None, data: dict | None = None):
    """The one writer of a violation's status (the row is locked by the caller)."""
    return transition_apply(violation, table=rules.VIOLATION_TRANSITIONS, to=to, actor=actor,
                            reason=reason, now=now, event_model=ViolationEvent,
                            event_fk="violation", fields=fields, data=data)


def restriction_transition(restriction: Restriction, to: str, *, actor,
                           reason: Reason | str = "", now: datetime):
    """The one writer of a restriction's status (the row is locked by the caller)."""
    return transition_apply(restriction, table=rules.RESTRICTION_TRANSITIONS, to=to,
                            actor=actor, reason=reason, now=now, event_model=RestrictionEvent,
                            event_fk="restriction", fields={"ended_at": now})


def restriction_start(*, store_id: int, kind: str, starts_at: datetime,
                      ends_at: datetime | None, actor, reason: Reason | str,
                      violation: Violation | None = None, node_score: int | None = None,
                      score_year: int | None = None, measure=None) -> Restriction:
    restriction = Restriction.objects.create(
        store_id=store_id, kind=kind, status=Restriction.Status.ACTIVE, starts_at=starts_at,
        ends_at=ends_at, violation=violation, node_score=node_score, score_year=score_year,
        measure=measure)
    RestrictionEvent.objects.create(restriction=restriction, from_status="",
                                    to_status=restriction.status, actor=actor, at=starts_at,
                                    **reason_fields(reason))
    notify_restriction_started(restriction, reason=reason, now=starts_at)
    return restriction


# --- the credit score ----------------------------------------------------------------------------
def _reset_locked(score: CreditScore, *, year: int, actor=None) -> None:
    """Start a new year on a locked score: deductions are wiped (00:00 on 1 January)."""
    at = rules.year_start(year, platform_tz())
    change = initial_score() - score.score
    score.score, score.year = initial_score(), year
    score.save(update_fields=["score", "year", "updated_at"])
    CreditScoreEntry.objects.create(
        store_id=score.store_id, year=year, kind=CreditScoreEntry.Kind.RESET, change=change,
        score_after=score.score, actor=actor, at=at, reason_code=R("credit_reset").code,
        reason_params={"year": year})


def credit_score_lock(store_id: int, *, now: datetime) -> CreditScore:
    """The store's score row, locked, in the current year (created at the initial score;
    a year the reset job has not reached yet is reset here first, the same way)."""
    year = rules.score_year(now, platform_tz())
    CreditScore.objects.get_or_create(store_id=store_id,
                                      defaults={"score": initial_score(), "year": year})
    score = CreditScore.objects.select_for_update().get(store_id=store_id)
    if score.year < year:
        _reset_locked(score, year=year)
    return score


def running_node_restrictions(store_id: int) -> dict[str, int]:
    """Kind → node score of the store's running credit restriction of that kind (the
    heaviest when there are several)."""
    running: dict[str, int] = {}
    rows = Restriction.objects.filter(store_id=store_id, status=Restriction.Status.ACTIVE,
                                      node_score__isnull=False).values_list("kind", "node_score")
    for kind, node_score in rows:
        running[kind] = min(node_score, running.get(kind, node_score))
    return running


def _credit_deduct(score: CreditScore, violation: Violation, *, actor,
                   now: datetime) -> rules.DeductionPlan:
    plan = rules.deduction_plan(before=score.score, points=violation.points,
                                nodes=credit_nodes(),
                                running=running_node_restrictions(score.store_id), now=now)
    score.score = plan.after
    update = ["score", "updated_at"]
    if plan.reaches_zero and score.zero_reached_at is None:
        score.zero_reached_at = now
        update.append("zero_reached_at")
    score.save(update_fields=update)
    CreditScoreEntry.objects.create(
        store_id=score.store_id, year=score.year, kind=CreditScoreEntry.Kind.DEDUCTION,
        change=plan.after - plan.before, score_after=plan.after, violation=violation,
        actor=actor, at=now, reason_code=R("credit_deducted").code,
        reason_params={"points": violation.points, "type": violation.type.name})
    if plan.node is not None:
        superseded = Restriction.objects.select_for_update().filter(
            store_id=score.store_id, status=Restriction.Status.ACTIVE,
            node_score__isnull=False, kind__in=plan.supersedes).order_by("pk")
        for restriction in superseded:
            restriction_transition(restriction, Restriction.Status.SUPERSEDED, actor=actor,
                                   now=now, reason=R("restriction_superseded",
                                                     node=plan.node.score))
        for start in plan.starts:
            restriction_start(store_id=score.store_id, kind=start.kind, starts_at=now,
                              ends_at=start.ends_at, actor=actor, violation=violation,
                              node_score=start.node.score, score_year=score.year,
                              reason=R("node_reached", score=plan.after, node=plan.node.score))
    if plan.reaches_zero:
        hooks.announce(hooks.CREDIT_SCORE_ZERO, store_id=score.store_id, violation=violation,
                       reason=R("credit_zero_forfeit"), now=now)
    return plan


def _credit_restore(violation: Violation, *, actor, now: datetime) -> None:
    """Give back the points of a revoked violation (in the year they still count in) and
    lift the node restrictions of that year the score no longer reaches."""
    score = credit_score_lock(violation.store_id, now=now)
    if violation.score_year == score.year:
        score.score = min(initial_score(), score.score + violation.points)
        score.save(update_fields=["score", "updated_at"])
        CreditScoreEntry.objects.create(
            store_id=score.store_id, year=score.year, kind=CreditScoreEntry.Kind.RESTORATION,
            change=violation.points, score_after=score.score, violation=violation,
            actor=actor, at=now, reason_code=R("credit_restored").code,
            reason_params={"points": violation.points})
        year_score = score.score
    else:
        # The year was reset since; what that year's score would have been without it.
        last = (CreditScoreEntry.objects.filter(store_id=violation.store_id,
                                                year=violation.score_year)
                .order_by("-at", "-pk").values_list("score_after", flat=True).first())
        year_score = min(initial_score(), (last or 0) + violation.points)
    active = Restriction.objects.select_for_update().filter(
        store_id=violation.store_id, status=Restriction.Status.ACTIVE,
        score_year=violation.score_year, node_score__isnull=False).order_by("pk")
    active = list(active)
    lift = set(rules.restrictions_no_longer_holding(
        ((r.pk, r.node_score) for r in active), year_score))
    for restriction in active:
        if restriction.pk in lift:
            restriction_transition(restriction, Restriction.Status.LIFTED, actor=actor, now=now,
                                   reason=R("restriction_lifted_revoked",
                                            node=restriction.node_score))


# --- violations ----------------------------------------------------------------------------------
def _type_or_raise(type_or_code) -> ViolationType:
    if isinstance(type_or_code, ViolationType):
        return type_or_code
    try:
        return ViolationType.objects.get(code=type_or_code)
    except ViolationType.DoesNotExist:
        raise ApplicationError(_("Unknown violation type."), code="unknown_type")


def _save_files(violation: Violation, files: Iterable, side: str) -> None:
    for content, info, original_name in files:
        row = ViolationFile(violation=violation, side=side, content_type=info.mime,
                            size=info.size, original_name=sanitize_filename(original_name))
        row.file.save(info.safe_name, content, save=False)
        row.save()


def violation_record(*, store, type, source_kind: str, source=None, points: int | None = None,
                     reason: Reason | str = "", evidence: Iterable = (), actor,
                     now: datetime | None = None) -> Violation:
    """Record a violation against `store` and deduct its points (the one way violations
    are written, by reviewers and by other apps). `type` is a ViolationType or its code;
    `source` the record it comes from (an order, an after-sale request, an inspection):
    recording the same type for the same source again returns the first one. `evidence`
    are (content, UploadInfo, original name) triples checked by `common.uploads`."""
    now = now or timezone.now()
    vtype = _type_or_raise(type)
    points = vtype.default_points if points is None else int(points)
    if points < 0:
        raise ApplicationError(_("Points cannot be negative."), code="bad_points",
                               field="points")
    source_fields = {}
    if source is not None:
        source_fields = {"source_type": ContentType.objects.get_for_model(source),
                         "source_id": str(source.pk)}
        existing = Violation.objects.filter(type=vtype, **source_fields).first()
        if existing is not None:
            return existing
    store_id = getattr(store, "pk", store)
    try:
        with transaction.atomic():
            score = credit_score_lock(store_id, now=now)
            violation = Violation(
                store_id=store_id, type=vtype, source_kind=source_kind, points=points,
                score_year=score.year, status=Violation.Status.IN_FORCE, recorded_at=now,
                recorded_by=actor,
                appeal_by=rules.natural_days_end(now, config.get("violation.appeal_days"),
                                                 platform_tz()),
                **source_fields)
            _reason_into(violation, reason)
            violation.save()
            ViolationEvent.objects.create(
                violation=violation, from_status="", to_status=violation.status, actor=actor,
                at=now, reason_code=R("violation_recorded").code,
                reason_params={"type": vtype.name, "points": points})
            _save_files(violation, evidence, ViolationFile.Side.EVIDENCE)
            _credit_deduct(score, violation, actor=actor, now=now)
    except IntegrityError:
        if not source_fields:
            raise
        existing = Violation.objects.filter(type=vtype, **source_fields).first()
        if existing is None:
            raise
        return existing
    return violation


def _reason_into(obj, reason) -> None:
    for name, value in reason_fields(reason).items():
        setattr(obj, name, value)


def _locked(violation: Violation) -> Violation:
    return Violation.objects.select_for_update().select_related("type").get(pk=violation.pk)


@transaction.atomic
def violation_appeal(*, violation: Violation, actor, text: str, files: Iterable = (),
                     now: datetime | None = None) -> Violation:
    """The merchant appeals a violation of its store, within the appeal period."""
    now = now or timezone.now()
    violation = _locked(violation)
    if violation.store.merchant_id != actor.pk:
        raise ApplicationError(_("This violation is not yours."), code="not_yours")
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Say why the violation is wrong."), code="no_text",
                               field="text")
    if violation.status != Violation.Status.IN_FORCE:
        raise ApplicationError(_("This violation cannot be appealed now."), code="bad_state")
    if now > violation.appeal_by:
        raise ApplicationError(
            _("The appeal period ended on %(end)s.") % {
                "end": timezone.localtime(violation.appeal_by, platform_tz())
                .strftime("%Y-%m-%d %H:%M")},
            code="appeal_late")
    violation_transition(violation, Violation.Status.APPEALED, actor=actor, now=now,
                         reason=text, fields={"appeal_text": text, "appealed_at": now})
    _save_files(violation, files, ViolationFile.Side.APPEAL)
    return violation


def _decision_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("A decision needs a reason."), code="no_reason",
                               field="reason")
    return reason


@transaction.atomic
def violation_uphold(*, violation: Violation, actor, reason: str,
                     now: datetime | None = None) -> Violation:
    """A reviewer refuses the appeal: the violation stands."""
    now = now or timezone.now()
    reason = _decision_reason(reason)
    violation = _locked(violation)
    violation_transition(violation, Violation.Status.UPHELD, actor=actor, now=now,
                         reason=reason, fields={"decided_by": actor, "decided_at": now,
                                                "decision_reason": reason})
    return violation


@transaction.atomic
def violation_revoke(*, violation: Violation, actor, reason: Reason | str,
                     now: datetime | None = None) -> Violation:
    """Revoke a violation (an appeal accepted, a re-inspection passed): its points come
    back and the node restrictions the score no longer reaches are lifted."""
    now = now or timezone.now()
    if not isinstance(reason, Reason):
        reason = _decision_reason(reason)
    violation = _locked(violation)
    violation_transition(violation, Violation.Status.REVOKED, actor=actor, now=now,
                         reason=reason,
                         fields={"decided_by": actor, "decided_at": now,
                                 "decision_reason": str(reason) if not isinstance(
                                     reason, Reason) else ""},
                         data={"points": violation.points})
    _credit_restore(violation, actor=actor, now=now)
    return violation


# --- clocks --------------------------------------------------------------------------------------
def due_batches(queryset, handle, batch_size: int, *, order=()) -> int:
    """Row by row through `handle`, in locked batches in the clock's order (common.sweeps)."""
    return sweep_due_rows(queryset, handle, batch_size, order=order)


def restrictions_end_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """Restrictions whose clock ran out end by themselves."""
    now = now or timezone.now()
    due = Restriction.objects.filter(status=Restriction.Status.ACTIVE, ends_at__lte=now)
    return due_batches(
        due, lambda r: restriction_transition(r, Restriction.Status.ENDED, actor=None, now=now,
                                              reason=R("restriction_ended")),
        batch_size, order=("ends_at",))


def credit_scores_reset_due(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> int:
    """At 00:00 on 1 January (platform time) every score starts the year again."""
    now = now or timezone.now()
    year = rules.score_year(now, platform_tz())
    due = CreditScore.objects.filter(year__lt=year)
    return due_batches(due, lambda s: _reset_locked(s, year=year), batch_size)

