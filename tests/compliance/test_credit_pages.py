"""The merchant's credit page and violation page, through the real URLs and templates;
another merchant's violation is a 404."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from compliance.enforcement import services as svc
from compliance.enforcement.models import Violation
from tests.factories import PDF_BYTES, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def other_store(other_merchant):
    return StoreFactory(merchant=other_merchant)


def record(store, points, **kw):
    return svc.violation_record(store=store, type="false_advertising", source_kind="complaint",
                                points=points, reason="夸大功效", actor=None, **kw)


def test_the_credit_page_shows_score_restrictions_and_violations(merchant_client, store,
                                                                 other_store):
    record(store, 25)
    record(other_store, 7)
    response = merchant_client.get(reverse("seller_compliance:credit"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong class="credit-score">75</strong>' in page
    assert "<polyline" in page and "countdown" in page
    assert page.count("badge badge-bad") >= 1
    assert reverse("seller_compliance:violation", args=[Violation.objects.get(store=store).pk]
                   ) in page
    assert reverse("seller_compliance:violation",
                   args=[Violation.objects.get(store=other_store).pk]) not in page


def test_a_merchant_appeals_with_evidence_from_the_violation_page(merchant_client, store):
    violation = record(store, 5)
    url = reverse("seller_compliance:violation", args=[violation.pk])
    assert 'name="text"' in merchant_client.get(url).content.decode()
    response = merchant_client.post(url, {
        "text": "已按约定发货", "confirm": "1",
        "files": [SimpleUploadedFile("proof.pdf", PDF_BYTES, content_type="application/pdf")],
    })
    assert response.status_code == 302
    violation.refresh_from_db()
    assert violation.status == "appealed" and violation.appeal_text == "已按约定发货"
    evidence = violation.files.get(side="appeal")
    assert merchant_client.get(reverse("seller_compliance:violation_file",
                                       args=[evidence.pk])).status_code == 200
    # appealed once: the page no longer offers the form, a second post is refused
    response = merchant_client.post(url, {"text": "再次申诉", "confirm": "1"})
    assert response.status_code == 302
    violation.refresh_from_db()
    assert violation.appeal_text == "已按约定发货"


def test_without_confirmation_nothing_is_sent(merchant_client, store):
    violation = record(store, 5)
    url = reverse("seller_compliance:violation", args=[violation.pk])
    response = merchant_client.post(url, {"text": "理由"})
    assert response.status_code == 200
    violation.refresh_from_db()
    assert violation.status == "in_force"


def test_after_the_appeal_period_the_page_offers_no_appeal(merchant_client, store):
    violation = record(store, 5, now=timezone.now() - timedelta(days=9))
    url = reverse("seller_compliance:violation", args=[violation.pk])
    assert 'name="text"' not in merchant_client.get(url).content.decode()
    merchant_client.post(url, {"text": "迟到", "confirm": "1"})
    violation.refresh_from_db()
    assert violation.status == "in_force"


def test_another_merchants_violation_and_files_are_404(merchant_client, other_store,
                                                       other_merchant):
    violation = record(other_store, 5)
    svc.violation_appeal(
        violation=violation, actor=other_merchant, text="申诉",
        files=[(SimpleUploadedFile("p.pdf", PDF_BYTES), _info(), "p.pdf")])
    assert merchant_client.get(reverse("seller_compliance:violation",
                                       args=[violation.pk])).status_code == 404
    assert merchant_client.post(reverse("seller_compliance:violation", args=[violation.pk]),
                                {"text": "x", "confirm": "1"}).status_code == 404
    file = violation.files.get()
    assert merchant_client.get(reverse("seller_compliance:violation_file",
                                       args=[file.pk])).status_code == 404


def _info():
    from common.uploads import validate_upload

    return validate_upload(SimpleUploadedFile("p.pdf", PDF_BYTES), max_bytes=10_000_000)


def test_the_credit_page_needs_a_merchant(client, buyer_client):
    url = reverse("seller_compliance:credit")
    assert client.get(url).status_code == 302
    assert buyer_client.get(url).status_code == 403


def test_the_public_store_page_shows_the_public_warning(client, store, other_store):
    record(store, 25)
    page = client.get(reverse("public:public_store", args=[store.slug])).content.decode()
    assert "notice-warning" in page
    other = client.get(reverse("public:public_store", args=[other_store.slug])).content.decode()
    assert "notice-warning" not in other


def test_the_credit_page_query_count_does_not_grow_with_violations(
        merchant_client, store, django_assert_max_num_queries):
    for _ in range(3):
        record(store, 2)
    with django_assert_max_num_queries(16) as few:
        merchant_client.get(reverse("seller_compliance:credit"))
    for _ in range(12):
        record(store, 1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        merchant_client.get(reverse("seller_compliance:credit"))


def test_pages_link_the_lessons_that_explain_the_rules(merchant_client, store):
    from academy.models import Lesson, LessonLink

    violation = record(store, 25)  # node 80, linked to its lesson in the seeded academy
    page = merchant_client.get(reverse("seller_compliance:credit")).content.decode()
    assert "/seller/academy/lessons/rules-violations/" in page
    LessonLink.objects.create(kind="violation_type", key="false_advertising",
                              lesson=Lesson.objects.get(slug="dsr"))
    page = merchant_client.get(reverse("seller_compliance:violation", args=[violation.pk]))
    assert "/seller/academy/lessons/dsr/" in page.content.decode()
