"""Sampling inspections (商品抽查): planned by hand or drawn, the sample ordered as an
ordinary buyer, tested by a lab, the result with its report. A failure delists the product
and records a violation; the merchant may appeal within the natural-day period, a reviewer
accepts (the re-inspection fee is due within the working-day period, paid as a payment of
purpose `compliance.reinspection_fee`; money arriving when the fee is no longer due is
refunded as `compliance.reinspection_fee_refund`) or refuses; a failure that becomes final
puts the store under key supervision; a re-test that passes revokes everything."""

import logging
import random
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.reasons import Label, reason_fields
from common.uploads import sanitize_filename
from common.workflows import transition_apply
from compliance import hooks
from compliance.enforcement import rules
from compliance.enforcement.models import (
    CalendarDay,
    KeySupervision,
    SamplingFile,
    SamplingInspection,
    SamplingInspectionEvent,
    SourceKind,
)
from compliance.enforcement.services import (
    due_batches,
    platform_tz,
    violation_record,
    violation_revoke,
)
from compliance.reasons import R
from payments.providers import sandbox_enabled
from payments.services import PaymentFailedError, payment_refund, payment_start, sandbox_pay

logger = logging.getLogger(__name__)
REINSPECTION_FEE = "compliance.reinspection_fee"
REINSPECTION_FEE_REFUND = "compliance.reinspection_fee_refund"
Status = SamplingInspection.Status

# Apps above compliance that know about quality complaints register a counter here:
# ``counter(product_ids, since) -> {product_id: complaints}``.
_COMPLAINT_COUNTERS: list[Callable] = []


def register_complaint_counter(counter: Callable) -> None:
    if counter not in _COMPLAINT_COUNTERS:
        _COMPLAINT_COUNTERS.append(counter)


# --- calendar ------------------------------------------------------------------------------------
def calendar_days_load(rows: Iterable) -> int:
    """Add (day, kind, name) rows the calendar does not have yet. Returns how many."""
    added = 0
    for day, kind, name in rows:
        _row, created = CalendarDay.objects.get_or_create(day=day, defaults={"kind": kind,
                                                                             "name": name})
        added += created
    return added


def calendar_years_covered(years) -> set[int]:
    """Of `years`, those the holiday calendar has public holidays for: a year without any
    has not been entered yet (the library seeds only the years it covers)."""
    years = sorted(set(years))
    if not years:
        return set()
    days = CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY,
                                      day__year__gte=years[0], day__year__lte=years[-1])
    return {d.year for d in days.values_list("day", flat=True)} & set(years)


class CalendarMissingError(ApplicationError):
    """A working-day deadline would run through a year the holiday calendar lacks."""


def working_days_end(notified_at: datetime, days: int) -> datetime:
    """The stored working-day deadline. Refused while the calendar lacks a year the period
    runs through: counting that year's holidays as working days would give the merchant
    less time than the rules do, so the reviewer enters the year first."""
    start = notified_at.astimezone(platform_tz()).date()
    window = CalendarDay.objects.filter(day__gt=start, day__lte=start + timedelta(days=days * 7
                                                                                   + 30))
    holidays = {d.day for d in window if d.kind == CalendarDay.Kind.HOLIDAY}
    workdays = {d.day for d in window if d.kind == CalendarDay.Kind.WORKDAY}
    end = rules.working_days_end(notified_at, days, platform_tz(), holidays=holidays,
                                 workdays=workdays)
    needed = rules.years_spanned(start + timedelta(days=1), end.date())
    missing = sorted(set(needed) - calendar_years_covered(needed))
    if missing:
        raise CalendarMissingError(
            _("The holiday calendar has no public holidays for %(year)s yet, so the "
              "working-day deadline cannot be set. Enter that year in the holiday calendar "
              "first.") % {"year": ", ".join(str(y) for y in missing)},
            code="calendar_missing")
    return end


# --- the one writer ------------------------------------------------------------------------------
def inspection_transition(inspection: SamplingInspection, to: str, *, actor, reason="",
                          now: datetime, fields: dict | None = None, data: dict | None = None):
    return transition_apply(inspection, table=rules.SAMPLING_TRANSITIONS, to=to, actor=actor,
                            reason=reason, now=now, event_model=SamplingInspectionEvent,
                            event_fk="inspection", fields=fields, data=data)


def _locked(inspection) -> SamplingInspection:
    return (SamplingInspection.objects.select_for_update()
            .select_related("store", "product").get(pk=inspection.pk))


def _save_files(inspection, files, side) -> None:
    for content, info, original_name in files or ():
        row = SamplingFile(inspection=inspection, side=side, content_type=info.mime,
                           size=info.size, original_name=sanitize_filename(original_name))
        row.file.save(info.safe_name, content, save=False)
        row.save()


# --- planning ------------------------------------------------------------------------------------
@transaction.atomic
def inspection_plan(*, product, actor, drawn: bool = False,
                    now: datetime | None = None) -> SamplingInspection:
    """Select a listed product for inspection (a reviewer by hand, or the draw)."""
    now = now or timezone.now()
    if product.status != "listed":
        raise ApplicationError(_("Only a listed product can be sampled."), code="not_listed")
    if SamplingInspection.objects.filter(product=product,
                                         status__in=rules.OPEN_SAMPLING).exists():
        raise ApplicationError(_("This product is already being inspected."),
                               code="already_open")
    inspection = SamplingInspection.objects.create(
        store_id=product.store_id, product=product, status=Status.SELECTED, drawn=drawn,
        planned_by=actor, planned_at=now)
    SamplingInspectionEvent.objects.create(inspection=inspection, from_status="",
                                           to_status=inspection.status, actor=actor, at=now,
                                           data={"drawn": drawn})
    return inspection


def draw_candidates(now: datetime) -> list[tuple[object, int]]:
    """Every listed product not under inspection, with its weight in the draw."""
    product_model = SamplingInspection._meta.get_field("product").related_model
    open_ids = SamplingInspection.objects.filter(
        status__in=rules.OPEN_SAMPLING).values("product_id")
    products = list(product_model.objects.filter(status="listed").exclude(pk__in=open_ids)
                    .select_related("category__parent__parent").order_by("pk"))
    supervised = set(KeySupervision.objects.filter(ends_at__gt=now)
                     .values_list("store_id", flat=True))
    risky = {c.strip() for c in config.get("sampling.high_risk_categories").split(",")
             if c.strip()}
    since = now - timedelta(days=config.get("sampling.complaint_days"))
    complaints: dict = {}
    for counter in _COMPLAINT_COUNTERS:
        for pk, n in counter([p.pk for p in products], since).items():
            complaints[pk] = complaints.get(pk, 0) + n
    weights = {"base": config.get("sampling.draw_weight_base"),
               "key_supervision": config.get("sampling.draw_weight_key_supervision"),
               "high_risk": config.get("sampling.draw_weight_high_risk"),
               "complaint": config.get("sampling.draw_weight_complaint")}
    out = []
    for product in products:
        root = product.category
        while root is not None and root.parent_id is not None:
            root = root.parent
        weight = rules.draw_weight(
            key_supervision=product.store_id in supervised,
            high_risk=root is not None and root.code in risky,
            complaints=complaints.get(product.pk, 0), weights=weights)
        out.append((product, weight))
    return out


def inspections_draw(*, count: int, actor, now: datetime | None = None,
                     rng: random.Random | None = None) -> list[SamplingInspection]:
    """Draw `count` products, weighted towards stores under key supervision, high-risk
    categories and products with recent quality complaints, and plan their inspection."""
    now = now or timezone.now()
    rng = rng or random.SystemRandom()
    pool = [(p, w) for p, w in draw_candidates(now) if w > 0]
    chosen = []
    while pool and len(chosen) < count:
        index = rng.choices(range(len(pool)), weights=[w for _p, w in pool])[0]
        product, _weight = pool.pop(index)
        chosen.append(inspection_plan(product=product, actor=actor, drawn=True, now=now))
    return chosen


# --- sample and lab ------------------------------------------------------------------------------
@transaction.atomic
def inspection_sample_ordered(*, inspection, order, actor, now: datetime | None = None):
    """The designated buyer ordered the sample as an ordinary buyer (a normal shop order)."""
    now = now or timezone.now()
    inspection = _locked(inspection)
    if order.store_id != inspection.store_id:
        raise ApplicationError(_("The order is not from the inspected store."),
                               code="wrong_store")
    inspection_transition(inspection, Status.SAMPLE_ORDERED, actor=actor, now=now,
                          fields={"sample_order": order})
    return inspection


@transaction.atomic
def inspection_send_to_lab(*, inspection, lab, actor, now: datetime | None = None):
    now = now or timezone.now()
    inspection = _locked(inspection)
    if not lab.active:
        raise ApplicationError(_("This lab is not active."), code="lab_inactive")
    inspection_transition(inspection, Status.AT_LAB, actor=actor, now=now, fields={"lab": lab})
    return inspection


@transaction.atomic
def inspection_result(*, inspection, passed: bool, report, actor, failed_items=(),
                      now: datetime | None = None) -> SamplingInspection:
    """Enter the lab's result with its report. A failure delists the product and records
    the violation at once (they stay in force during any re-inspection); the merchant may
    appeal until the end of the natural-day period."""
    now = now or timezone.now()
    inspection = _locked(inspection)
    if not report:
        raise ApplicationError(_("Attach the test report."), code="no_report", field="report")
    failed_items = [i for i in failed_items if i in rules.FAILED_ITEMS]
    if not passed and not failed_items:
        raise ApplicationError(_("Name the items that failed."), code="no_items",
                               field="failed_items")
    if passed:
        inspection_transition(inspection, Status.PASSED, actor=actor, now=now,
                              fields={"notified_at": now})
        _save_files(inspection, [report], SamplingFile.Side.REPORT)
        return inspection
    appeal_by = rules.natural_days_end(now, config.get("sampling.appeal_days"), platform_tz())
    inspection_transition(inspection, Status.FAILED, actor=actor, now=now,
                          fields={"notified_at": now, "appeal_by": appeal_by,
                                  "failed_items": failed_items})
    _save_files(inspection, [report], SamplingFile.Side.REPORT)
    hooks.announce(hooks.PRODUCTS_DELIST, store_id=inspection.store_id,
                   product_ids=[inspection.product_id],
                   reason=_("Failed a sampling inspection"), actor=actor, now=now)
    violation = violation_record(
        store=inspection.store_id, type=config.get("sampling.violation_type"),
        source_kind=SourceKind.SAMPLING, source=inspection, actor=actor, now=now,
        reason=R("sampling_failed", product=inspection.product.title))
    inspection.violation = violation
    inspection.save(update_fields=["violation", "updated_at"])
    return inspection


def _make_final(inspection, *, actor, why: str, now: datetime, reason, data=None) -> None:
    inspection_transition(inspection, Status.FINAL, actor=actor, now=now, reason=reason,
                          fields={"final_reason": why}, data=data)
    months = config.get("sampling.key_supervision_months")
    KeySupervision.objects.get_or_create(
        inspection=inspection,
        defaults={"store_id": inspection.store_id, "starts_at": now,
                  "ends_at": rules.add_months(now, months, platform_tz())})


# --- appeal and re-inspection --------------------------------------------------------------------
@transaction.atomic
def inspection_appeal(*, inspection, actor, text: str, files=(),
                      now: datetime | None = None) -> SamplingInspection:
    now = now or timezone.now()
    inspection = _locked(inspection)
    if inspection.store.merchant_id != actor.pk:
        raise ApplicationError(_("This inspection is not yours."), code="not_yours")
    text = (text or "").strip()
    if not text:
        raise ApplicationError(_("Say why the result is wrong."), code="no_text", field="text")
    if inspection.status != Status.FAILED or inspection.appeal_by is None or (
            now > inspection.appeal_by):
        raise ApplicationError(
            _("The appeal period has ended: the result stands (re-inspection refused: %(why)s).")
            % {"why": SamplingInspection.Refusal.LATE.label}, code="appeal_late")
    inspection_transition(inspection, Status.APPEALED, actor=actor, now=now, reason=text,
                          fields={"appeal_text": text})
    _save_files(inspection, files, SamplingFile.Side.APPEAL)
    return inspection


@transaction.atomic
def inspection_appeal_accept(*, inspection, fee_amount, actor,
                             now: datetime | None = None) -> SamplingInspection:
    """Re-inspection accepted: the merchant prepays the fee within the working days."""
    now = now or timezone.now()
    inspection = _locked(inspection)
    days = config.get("sampling.fee_working_days")
    inspection_transition(
        inspection, Status.FEE_DUE, actor=actor, now=now,
        reason=R("sampling_fee_due", days=days),
        fields={"fee_amount": fee_amount, "fee_due_by": working_days_end(now, days)})
    return inspection


@transaction.atomic
def inspection_appeal_refuse(*, inspection, refusal: str, actor,
                             now: datetime | None = None) -> SamplingInspection:
    now = now or timezone.now()
    if refusal not in rules.REFUSALS:
        raise ApplicationError(_("Choose why the re-inspection is refused."),
                               code="no_refusal", field="refusal")
    inspection = _locked(inspection)
    inspection.refusal = refusal
    _make_final(inspection, actor=actor, why="refused", now=now,
                reason=R("sampling_refused", why=_label("refusal", refusal)))
    inspection.save(update_fields=["refusal", "updated_at"])
    return inspection


def _label(field, value):
    return Label(f"compliance.SamplingInspection.{field}", value)


def inspection_fee_payment_start(*, inspection, actor, now: datetime | None = None):
    """The merchant starts paying the re-inspection fee (once per inspection)."""
    now = now or timezone.now()
    with transaction.atomic():
        inspection = _locked(inspection)
        if inspection.store.merchant_id != actor.pk:
            raise ApplicationError(_("This inspection is not yours."), code="not_yours")
        if inspection.status != Status.FEE_DUE or now > inspection.fee_due_by:
            raise ApplicationError(_("The re-inspection fee cannot be paid now."),
                                   code="bad_state")
        payment = payment_start(
            purpose=REINSPECTION_FEE, subject_id=inspection.pk, amount=inspection.fee_amount,
            idempotency_key=f"reinspection-fee:{inspection.pk}", actor=actor,
            reference=f"inspection:{inspection.pk}", now=now,
            reason="re-inspection fee")
        if inspection.fee_payment_id != payment.pk:
            inspection.fee_payment = payment
            inspection.save(update_fields=["fee_payment", "updated_at"])
    return payment


def inspection_fee_sandbox_confirm(*, inspection, actor, now: datetime | None = None):
    """Sandbox only: the sandbox posts its signed success callback for the fee payment,
    through the same path as a real provider's callback."""
    if not sandbox_enabled():
        raise ApplicationError(_("The sandbox payment provider is not available here."),
                               code="sandbox_disabled")
    payment = inspection_fee_payment_start(inspection=inspection, actor=actor, now=now)
    if payment.provider != "sandbox":
        raise ApplicationError(_("Only sandbox payments can be confirmed here."),
                               code="not_sandbox")
    sandbox_pay(payment, now=now)
    return payment


def reinspection_fee_settled(payment, succeeded: bool, now: datetime) -> None:
    """The payment's handler: paid in time starts the re-inspection; money arriving when
    the fee is no longer due (the appeal lapsed meanwhile) is refunded to the merchant."""
    if not succeeded:
        return
    inspection = SamplingInspection.objects.select_for_update().get(pk=int(payment.subject_id))
    if inspection.status == Status.FEE_DUE:
        inspection_transition(inspection, Status.RETESTING, actor=None, now=now,
                              reason=R("sampling_fee_paid"), fields={"fee_paid_at": now},
                              data={"payment": payment.pk})
    else:
        _late_fee_refund(inspection, payment, now=now)


def _late_fee_refund(inspection: SamplingInspection, payment, *, now: datetime) -> None:
    """Send a fee that is no longer due back to the merchant, once per payment, and say so
    on the inspection's timeline. A refund the provider refuses is left to reviewers."""
    if inspection.events.filter(data__payment=payment.pk, data__late_fee=True).exists():
        return
    data = {"payment": payment.pk, "late_fee": True}
    try:
        refund = payment_refund(
            purpose=REINSPECTION_FEE_REFUND, subject_id=inspection.pk,
            payee=inspection.store.merchant_id, amount=payment.amount,
            idempotency_key=f"reinspection-fee:{payment.pk}:refund", actor=None,
            reason="re-inspection fee no longer due", reference=f"inspection:{inspection.pk}",
            data={"payment": payment.pk}, now=now)
    except PaymentFailedError as exc:
        logger.warning("refund of the late re-inspection fee %s of inspection %s was refused "
                       "by the provider; send it back by hand", payment.provider_ref,
                       inspection.pk)
        reason = R("sampling_fee_late")
        data["refund_failed"] = exc.payment.provider_ref
    else:
        reason = R("sampling_fee_refunded", amount=str(payment.amount))
        data["refund"] = refund.pk
    SamplingInspectionEvent.objects.create(
        inspection=inspection, from_status=inspection.status, to_status=inspection.status,
        actor=None, at=now, data=data, **reason_fields(reason))


def reinspection_fee_refund_settled(payment, succeeded: bool, now: datetime) -> None:
    """A late fee's refund settled after a pending answer; a failure is left to reviewers
    (the money is still with the platform)."""
    if not succeeded:
        logger.warning("refund %s of a late re-inspection fee (%s) to user %s failed at the "
                       "provider; send it back by hand", payment.provider_ref, payment.amount,
                       payment.payee_id)


@transaction.atomic
def inspection_retest_result(*, inspection, passed: bool, report, actor,
                             now: datetime | None = None) -> SamplingInspection:
    """Re-test failed: upheld, the merchant bears the fee. Passed: the product is relisted,
    the violation revoked with its points restored, the lab refunds the fee."""
    now = now or timezone.now()
    inspection = _locked(inspection)
    if not report:
        raise ApplicationError(_("Attach the re-inspection report."), code="no_report",
                               field="report")
    if not passed:
        _make_final(inspection, actor=actor, why="retest_failed", now=now,
                    reason=R("sampling_retest_failed"))
        _save_files(inspection, [report], SamplingFile.Side.RETEST_REPORT)
        return inspection
    inspection_transition(inspection, Status.REVOKED, actor=actor, now=now,
                          reason=R("sampling_retest_passed"), data={"fee_refunded_by_lab": True})
    _save_files(inspection, [report], SamplingFile.Side.RETEST_REPORT)
    if inspection.violation_id:
        violation_revoke(violation=inspection.violation, actor=actor, now=now,
                         reason=R("sampling_retest_passed"))
    hooks.announce(hooks.PRODUCTS_RELIST, store_id=inspection.store_id,
                   product_ids=[inspection.product_id],
                   reason=_("Passed the re-inspection"), actor=actor, now=now)
    return inspection


# --- clocks --------------------------------------------------------------------------------------
def inspections_appeal_due(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """No valid appeal in time: the result stands."""
    now = now or timezone.now()
    due = SamplingInspection.objects.filter(status=Status.FAILED, appeal_by__lte=now)
    return due_batches(due, lambda i: _make_final(i, actor=None, why="stands", now=now,
                                                  reason=R("sampling_stands")), batch_size,
                       order=("appeal_by",))


def inspections_fee_due(*, now: datetime | None = None, batch_size: int = 200) -> int:
    """The fee not paid in time: the appeal lapses and the result stands."""
    now = now or timezone.now()
    due = SamplingInspection.objects.filter(status=Status.FEE_DUE, fee_due_by__lte=now)
    return due_batches(due, lambda i: _make_final(i, actor=None, why="lapsed", now=now,
                                                  reason=R("sampling_lapsed")), batch_size,
                       order=("fee_due_by",))


def store_has_open_inspection(store) -> bool:
    return SamplingInspection.objects.filter(
        Q(store=store) & Q(status__in=rules.OPEN_SAMPLING)).exists()
