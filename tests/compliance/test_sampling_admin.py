"""Reviewers run an inspection from the admin: plan, sample order, lab, result, appeal
decision, re-test; lab directory and holiday calendar; the queue on the admin home."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from compliance.enforcement import sampling as svc
from compliance.enforcement.models import CalendarDay, Lab, SamplingInspection
from tests.factories import PDF_BYTES, StoreFactory
from tests.shop.order_factories import listed_sku, place

pytestmark = pytest.mark.django_db


def test_an_inspection_from_plan_to_a_final_result(reviewer_client, merchant, buyer):
    store = StoreFactory(merchant=merchant)
    sku = listed_sku(store)
    lab = Lab.objects.create(name="质检中心")
    response = reviewer_client.post(reverse("admin:compliance_samplinginspection_plan"),
                                    {"product": sku.product_id})
    assert response.status_code == 302
    inspection = SamplingInspection.objects.get()
    home = reviewer_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:compliance_samplinginspection_changelist") in home
    assert reviewer_client.get(
        reverse("admin:compliance_samplinginspection_changelist")).status_code == 200
    step = reverse("admin:compliance_samplinginspection_step", args=[inspection.pk])
    order = place(buyer, sku)
    assert reviewer_client.post(step, {"order": order.pk}).status_code == 302
    assert reviewer_client.post(step, {"lab": lab.pk}).status_code == 302
    report = SimpleUploadedFile("r.pdf", PDF_BYTES, content_type="application/pdf")
    response = reviewer_client.post(step, {"passed": "0", "failed_items": ["detail_claims"],
                                           "report": report})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == "failed" and inspection.violation_id
    svc.inspection_appeal(inspection=inspection, actor=merchant, text="申请复检")
    response = reviewer_client.post(step, {"decision": "refuse", "refusal": "expired"})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.refusal) == ("final", "expired")
    assert reviewer_client.get(reverse("admin:compliance_samplinginspection_change",
                                       args=[inspection.pk])).status_code == 200


def test_lab_directory_and_holiday_calendar_are_editable(reviewer_client):
    assert reviewer_client.post(reverse("admin:compliance_lab_add"), {
        "name": "品牌方", "kind": "brand_owner", "accreditation": "", "contact": "",
        "supports_retest": "on", "active": "on"}).status_code == 302
    assert reviewer_client.post(reverse("admin:compliance_calendarday_add"), {
        "day": "2027-01-01", "kind": "holiday", "name": "元旦"}).status_code == 302
    assert CalendarDay.objects.filter(day__year=2027).count() == 1
    assert reviewer_client.get(reverse("admin:compliance_calendarday_changelist")
                               ).status_code == 200
