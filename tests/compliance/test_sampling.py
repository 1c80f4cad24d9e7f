"""Sampling inspections: every path from selection to a final result, the natural-day and
working-day clocks around a public holiday, the fee as a payment, the weighted draw."""

import random
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from common.errors import ApplicationError
from common.uploads import validate_upload
from compliance.enforcement import rules
from compliance.enforcement import sampling as svc
from compliance.enforcement.models import (
    CalendarDay,
    CreditScore,
    KeySupervision,
    Lab,
    Restriction,
    SamplingInspection,
    Violation,
    ViolationType,
)
from compliance.enforcement.selectors import store_has_open_cases
from payments.services import sandbox_pay
from shop.models import Product
from tests.factories import PDF_BYTES, ProductFactory, StoreFactory
from tests.shop.order_factories import listed_sku, place

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=TZ)  # a Monday


def report():
    upload = SimpleUploadedFile("report.pdf", PDF_BYTES, content_type="application/pdf")
    return (upload, validate_upload(upload, max_bytes=10_000_000), "report.pdf")


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def lab(db):
    return Lab.objects.create(name="国家日用品质检中心", accreditation="CMA 2026-001")


@pytest.fixture
def at_lab(store, reviewer, buyer, lab):
    sku = listed_sku(store)
    inspection = svc.inspection_plan(product=sku.product, actor=reviewer, now=NOW)
    order = place(buyer, sku)
    svc.inspection_sample_ordered(inspection=inspection, order=order, actor=reviewer, now=NOW)
    return svc.inspection_send_to_lab(inspection=inspection, lab=lab, actor=reviewer, now=NOW)


def failed(at_lab, reviewer, now=NOW):
    return svc.inspection_result(inspection=at_lab, passed=False, report=report(),
                                 failed_items=["mandatory_standard"], actor=reviewer, now=now)


def fresh(inspection):
    return SamplingInspection.objects.get(pk=inspection.pk)


def test_pass_closes_the_inspection(at_lab, reviewer, store):
    inspection = svc.inspection_result(inspection=at_lab, passed=True, report=report(),
                                       actor=reviewer, now=NOW)
    assert inspection.status == "passed" and not Violation.objects.exists()
    assert inspection.files.get().side == "report"
    assert not store_has_open_cases(store)
    assert [e.to_status for e in inspection.events.all()] == [
        "selected", "sample_ordered", "at_lab", "passed"]


def test_fail_without_appeal_stands_and_brings_key_supervision(at_lab, reviewer, store):
    inspection = failed(at_lab, reviewer)
    assert Product.objects.get(pk=inspection.product_id).status == "delisted"
    violation = Violation.objects.get(store=store)
    assert violation.source == inspection and violation.type.code == "sampling_failure"
    assert store_has_open_cases(store)
    assert inspection.appeal_by == datetime(2026, 3, 9, 23, 59, 59, tzinfo=TZ)
    assert svc.inspections_appeal_due(now=inspection.appeal_by - timedelta(seconds=1)) == 0
    assert svc.inspections_appeal_due(now=inspection.appeal_by) == 1
    assert svc.inspections_appeal_due(now=inspection.appeal_by) == 0
    inspection = fresh(inspection)
    assert (inspection.status, inspection.final_reason) == ("final", "stands")
    supervision = KeySupervision.objects.get(store=store)
    assert supervision.ends_at == datetime(2026, 5, 9, 23, 59, 59, tzinfo=TZ)
    assert not store_has_open_cases(store)


def test_a_late_appeal_is_refused_and_the_result_stands(at_lab, reviewer, merchant):
    inspection = failed(at_lab, reviewer)
    with pytest.raises(ApplicationError) as exc:
        svc.inspection_appeal(inspection=inspection, actor=merchant, text="不服",
                              now=datetime(2026, 3, 10, 0, 0, tzinfo=TZ))
    assert exc.value.code == "appeal_late"
    svc.inspections_appeal_due(now=datetime(2026, 3, 10, 0, 0, tzinfo=TZ))
    assert fresh(inspection).final_reason == "stands"


@pytest.mark.parametrize("refusal", rules.REFUSALS)
def test_a_reviewer_refuses_the_reinspection_with_a_reason(at_lab, reviewer, merchant, refusal):
    inspection = failed(at_lab, reviewer)
    svc.inspection_appeal(inspection=inspection, actor=merchant, text="申请复检",
                          now=NOW + timedelta(days=1))
    svc.inspection_appeal_refuse(inspection=inspection, refusal=refusal, actor=reviewer,
                                 now=NOW + timedelta(days=2))
    inspection = fresh(inspection)
    assert (inspection.status, inspection.final_reason, inspection.refusal) == (
        "final", "refused", refusal)
    assert KeySupervision.objects.filter(inspection=inspection).exists()


def test_another_merchant_cannot_appeal(at_lab, reviewer, other_merchant):
    inspection = failed(at_lab, reviewer)
    with pytest.raises(ApplicationError) as exc:
        svc.inspection_appeal(inspection=inspection, actor=other_merchant, text="x", now=NOW)
    assert exc.value.code == "not_yours"


def accepted(at_lab, reviewer, merchant, *, at=NOW):
    inspection = failed(at_lab, reviewer, now=at)
    svc.inspection_appeal(inspection=inspection, actor=merchant, text="样品保存不当导致",
                          now=at + timedelta(hours=1))
    return svc.inspection_appeal_accept(inspection=inspection, fee_amount=Decimal("800.00"),
                                        actor=reviewer, now=at + timedelta(hours=2))


def test_fee_unpaid_in_time_the_appeal_lapses(at_lab, reviewer, merchant):
    inspection = accepted(at_lab, reviewer, merchant)
    # Monday 2 March + 3 working days: the end of Thursday 5 March
    assert inspection.fee_due_by == datetime(2026, 3, 5, 23, 59, 59, tzinfo=TZ)
    assert svc.inspections_fee_due(now=inspection.fee_due_by - timedelta(seconds=1)) == 0
    assert svc.inspections_fee_due(now=inspection.fee_due_by) == 1
    inspection = fresh(inspection)
    assert (inspection.status, inspection.final_reason) == ("final", "lapsed")
    with pytest.raises(ApplicationError):
        svc.inspection_fee_payment_start(inspection=inspection, actor=merchant,
                                         now=inspection.fee_due_by + timedelta(minutes=1))


def test_retest_fails_the_result_is_upheld(at_lab, reviewer, merchant, store):
    inspection = accepted(at_lab, reviewer, merchant)
    payment = svc.inspection_fee_payment_start(inspection=inspection, actor=merchant,
                                               now=NOW + timedelta(days=1))
    assert payment.purpose == "compliance.reinspection_fee" and payment.amount == Decimal("800.00")
    sandbox_pay(payment, now=NOW + timedelta(days=1))
    inspection = fresh(inspection)
    assert inspection.status == "retesting" and inspection.fee_paid_at
    # penalties stay in force during re-inspection
    assert Product.objects.get(pk=inspection.product_id).status == "delisted"
    assert Violation.objects.get(store=store).status == "in_force"
    svc.inspection_retest_result(inspection=inspection, passed=False, report=report(),
                                 actor=reviewer, now=NOW + timedelta(days=5))
    inspection = fresh(inspection)
    assert (inspection.status, inspection.final_reason) == ("final", "retest_failed")
    assert KeySupervision.objects.filter(store=store).exists()
    assert CreditScore.objects.get(store=store).score < 100


def test_retest_passes_everything_is_revoked_and_restored(at_lab, reviewer, merchant, store):
    ViolationType.objects.filter(code="sampling_failure").update(default_points=25)
    inspection = accepted(at_lab, reviewer, merchant)
    assert CreditScore.objects.get(store=store).score == 75
    assert Restriction.objects.filter(store=store, status="active").count() == 4
    payment = svc.inspection_fee_payment_start(inspection=inspection, actor=merchant,
                                               now=NOW + timedelta(days=1))
    sandbox_pay(payment, now=NOW + timedelta(days=1))
    svc.inspection_retest_result(inspection=inspection, passed=True, report=report(),
                                 actor=reviewer, now=NOW + timedelta(days=5))
    inspection = fresh(inspection)
    assert inspection.status == "revoked"
    assert inspection.events.last().data == {"fee_refunded_by_lab": True}
    assert Product.objects.get(pk=inspection.product_id).status == "listed"
    assert Violation.objects.get(store=store).status == "revoked"
    assert CreditScore.objects.get(store=store).score == 100
    assert not Restriction.objects.filter(store=store, status="active").exists()
    assert not KeySupervision.objects.filter(store=store).exists()
    assert not store_has_open_cases(store)


@pytest.mark.parametrize(("notified", "fee_end", "appeal_end"), [
    # the day before National Day: 1–7 October are holidays, Saturday 10 October is an
    # adjusted working day
    (datetime(2026, 9, 30, 10, 0, tzinfo=TZ), datetime(2026, 10, 10, 23, 59, 59, tzinfo=TZ),
     datetime(2026, 10, 7, 23, 59, 59, tzinfo=TZ)),
    # Friday 18 September: Sunday 20 September is an adjusted working day
    (datetime(2026, 9, 18, 10, 0, tzinfo=TZ), datetime(2026, 9, 22, 23, 59, 59, tzinfo=TZ),
     datetime(2026, 9, 25, 23, 59, 59, tzinfo=TZ)),
    # Friday 13 February, before the Spring Festival: Saturday 14 is a working day (1),
    # 16–20 and Monday 23 are holidays, then Tuesday 24 (2) and Wednesday 25 (3)
    (datetime(2026, 2, 13, 10, 0, tzinfo=TZ), datetime(2026, 2, 25, 23, 59, 59, tzinfo=TZ),
     datetime(2026, 2, 20, 23, 59, 59, tzinfo=TZ)),
])
def test_the_clocks_around_public_holidays(at_lab, reviewer, merchant, notified, fee_end,
                                           appeal_end):
    assert CalendarDay.objects.filter(day__year=2026).count() > 20  # seeded
    inspection = accepted(at_lab, reviewer, merchant, at=notified - timedelta(hours=2))
    assert inspection.appeal_by == appeal_end
    assert inspection.fee_due_by == fee_end


def test_the_calendar_is_editable(at_lab, reviewer, merchant):
    CalendarDay.objects.create(day=datetime(2026, 3, 3).date(), kind="holiday", name="测试")
    inspection = accepted(at_lab, reviewer, merchant)
    assert inspection.fee_due_by == datetime(2026, 3, 6, 23, 59, 59, tzinfo=TZ)


def test_the_draw_favours_key_supervision_and_high_risk(reviewer, merchant, other_merchant):
    watched = StoreFactory(merchant=merchant)
    plain = StoreFactory(merchant=other_merchant)
    a = ProductFactory(store=watched)
    b = ProductFactory(store=plain)
    supervised_inspection = SamplingInspection.objects.create(
        store=watched, product=ProductFactory(store=watched, status="delisted"),
        status="final")
    KeySupervision.objects.create(store=watched, inspection=supervised_inspection,
                                  starts_at=NOW, ends_at=NOW + timedelta(days=60))
    weights = dict((p.pk, w) for p, w in svc.draw_candidates(NOW))
    assert weights[a.pk] == 3 * weights[b.pk]
    drawn = svc.inspections_draw(count=1, actor=reviewer, now=NOW, rng=random.Random(1))
    assert len(drawn) == 1 and drawn[0].drawn and drawn[0].status == "selected"
    # an open inspection keeps its product out of the next draw
    assert drawn[0].product_id not in {p.pk for p, _w in svc.draw_candidates(NOW)}


# --- merchant pages ------------------------------------------------------------------------------
def test_merchant_pages_list_appeal_and_pay_the_fee(at_lab, reviewer, merchant, merchant_client,
                                                    settings):
    from django.urls import reverse
    from django.utils import timezone

    settings.PAYMENT_SANDBOX_ENABLED = True
    now = timezone.now()
    inspection = failed(at_lab, reviewer, now=now)
    listing = merchant_client.get(reverse("seller_compliance:inspections")).content.decode()
    url = reverse("seller_compliance:inspection", args=[inspection.pk])
    assert url in listing
    page = merchant_client.get(url).content.decode()
    assert 'name="text"' in page
    report_file = inspection.files.get()
    assert merchant_client.get(reverse("seller_compliance:inspection_file",
                                       args=[report_file.pk])).status_code == 200
    response = merchant_client.post(url, {"text": "申请复检", "confirm": "1"})
    assert response.status_code == 302 and fresh(inspection).status == "appealed"
    svc.inspection_appeal_accept(inspection=inspection, fee_amount=Decimal("500.00"),
                                 actor=reviewer)
    page = merchant_client.get(url).content.decode()
    assert reverse("seller_compliance:inspection_fee_pay", args=[inspection.pk]) in page
    response = merchant_client.post(reverse("seller_compliance:inspection_fee_pay",
                                            args=[inspection.pk]), {"confirm": "1"})
    assert response.status_code == 302 and fresh(inspection).status == "retesting"


def test_another_merchants_inspection_is_404(at_lab, reviewer, other_merchant_client):
    from django.urls import reverse

    inspection = failed(at_lab, reviewer)
    assert other_merchant_client.get(reverse("seller_compliance:inspection",
                                             args=[inspection.pk])).status_code == 404
    assert other_merchant_client.post(reverse("seller_compliance:inspection_fee_pay",
                                              args=[inspection.pk])).status_code == 404
    assert other_merchant_client.get(reverse("seller_compliance:inspection_file", args=[
        inspection.files.get().pk])).status_code == 404
    listing = other_merchant_client.get(reverse("seller_compliance:inspections"))
    assert reverse("seller_compliance:inspection", args=[inspection.pk]) not in (
        listing.content.decode())
