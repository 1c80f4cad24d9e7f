"""A re-inspection fee that arrives after the appeal lapsed is refunded once, through
payments, and the inspection's timeline says so; the working-day clock refuses a deadline
in a year the holiday calendar has no data for."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from common.errors import ApplicationError
from compliance.enforcement import sampling as svc
from compliance.enforcement.models import CalendarDay, SamplingInspectionEvent
from payments.models import Payment
from payments.services import sandbox_pay
from tests.compliance import test_sampling as base
from tests.compliance.test_sampling import NOW, TZ, accepted, failed, fresh

pytestmark = pytest.mark.django_db
store, lab, at_lab = base.store, base.lab, base.at_lab


def test_a_late_fee_callback_delivered_twice_is_refunded_once(at_lab, reviewer, merchant):
    inspection = accepted(at_lab, reviewer, merchant)
    payment = svc.inspection_fee_payment_start(inspection=inspection, actor=merchant,
                                               now=NOW + timedelta(days=1))
    assert svc.inspections_fee_due(now=inspection.fee_due_by) == 1
    assert fresh(inspection).status == "final"
    late = inspection.fee_due_by + timedelta(hours=3)
    sandbox_pay(payment, now=late)
    sandbox_pay(payment, now=late + timedelta(minutes=1))
    refunds = Payment.objects.filter(purpose="compliance.reinspection_fee_refund")
    assert refunds.count() == 1
    refund = refunds.get()
    assert (refund.kind, refund.amount, refund.status) == ("refund", Decimal("800.00"),
                                                           "succeeded")
    assert refund.payee_id == merchant.pk and refund.subject_id == str(inspection.pk)
    inspection = fresh(inspection)
    assert (inspection.status, inspection.final_reason) == ("final", "lapsed")
    assert inspection.fee_paid_at is None
    events = SamplingInspectionEvent.objects.filter(inspection=inspection,
                                                    data__late_fee=True)
    assert events.count() == 1
    event = events.get()
    assert event.reason_code == "compliance.sampling_fee_refunded"
    assert event.data == {"payment": payment.pk, "late_fee": True, "refund": refund.pk}
    assert "800.00" in str(event.reason_display)


def test_a_fee_paid_in_time_is_not_refunded(at_lab, reviewer, merchant):
    inspection = accepted(at_lab, reviewer, merchant)
    payment = svc.inspection_fee_payment_start(inspection=inspection, actor=merchant,
                                               now=NOW + timedelta(days=1))
    sandbox_pay(payment, now=NOW + timedelta(days=1))
    sandbox_pay(payment, now=NOW + timedelta(days=1))
    assert fresh(inspection).status == "retesting"
    assert not Payment.objects.filter(purpose="compliance.reinspection_fee_refund").exists()


def test_no_deadline_in_a_year_the_calendar_lacks(at_lab, reviewer, merchant):
    # Tuesday 29 December 2026 + 3 working days runs into 2027, which the library does
    # not cover and nobody has entered yet.
    at = datetime(2026, 12, 29, 10, 0, tzinfo=TZ)
    assert not CalendarDay.objects.filter(day__year=2027).exists()
    with pytest.raises(ApplicationError) as exc:
        accepted(at_lab, reviewer, merchant, at=at)
    assert exc.value.code == "calendar_missing" and "2027" in exc.value.message
    inspection = fresh(at_lab)
    assert inspection.status == "appealed" and inspection.fee_due_by is None
    # a reviewer enters 2027 in the admin's calendar: New Year's Day is Friday 1 January
    CalendarDay.objects.create(day=date(2027, 1, 1), kind="holiday", name="元旦")
    svc.inspection_appeal_accept(inspection=inspection, fee_amount=Decimal("800.00"),
                                 actor=reviewer, now=at + timedelta(hours=3))
    # Wednesday 30, Thursday 31, (holiday), Monday 4 January
    assert fresh(inspection).fee_due_by == datetime(2027, 1, 4, 23, 59, 59, tzinfo=TZ)


def test_a_deadline_inside_a_covered_year_needs_nothing_more(at_lab, reviewer, merchant):
    inspection = accepted(at_lab, reviewer, merchant, at=datetime(2026, 12, 21, 10, 0,
                                                                     tzinfo=TZ))
    assert inspection.fee_due_by == datetime(2026, 12, 24, 23, 59, 59, tzinfo=TZ)


def test_the_reviewer_is_told_to_enter_the_year_first(time_machine, at_lab, reviewer, merchant,
                                                     reviewer_client):
    from django.urls import reverse

    at = datetime(2026, 12, 29, 10, 0, tzinfo=TZ)
    inspection = failed(at_lab, reviewer, now=at)
    svc.inspection_appeal(inspection=inspection, actor=merchant, text="样品保存不当",
                          now=at + timedelta(hours=1))
    time_machine.move_to(at + timedelta(hours=2), tick=False)
    reviewer_client.force_login(reviewer)  # the session would have expired meanwhile
    step = reverse("admin:compliance_samplinginspection_step", args=[inspection.pk])
    response = reviewer_client.post(step, {"decision": "accept", "fee_amount": "800.00"})
    assert response.status_code == 200
    assert "2027" in response.content.decode()
    assert fresh(inspection).status == "appealed"
    assert reviewer_client.post(reverse("admin:compliance_calendarday_add"), {
        "day": "2027-01-01", "kind": "holiday", "name": "元旦"}).status_code == 302
    response = reviewer_client.post(step, {"decision": "accept", "fee_amount": "800.00"})
    assert response.status_code == 302
    assert fresh(inspection).fee_due_by == datetime(2027, 1, 4, 23, 59, 59, tzinfo=TZ)
