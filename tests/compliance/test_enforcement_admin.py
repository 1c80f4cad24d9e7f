"""Reviewers' enforcement screens: the violation entry shows a preview before it records,
the appeals queue lists appeals oldest first, a decision goes through the services."""

import pytest
from django.urls import reverse

from compliance.enforcement import services as svc
from compliance.enforcement.models import CreditScore, Violation, ViolationType
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


def test_entry_previews_then_records_on_confirmation(reviewer_client, store):
    vtype = ViolationType.objects.get(code="false_advertising")
    url = reverse("admin:compliance_violation_record")
    assert reviewer_client.get(url).status_code == 200
    data = {"store": store.pk, "type": vtype.pk, "source_kind": "complaint", "points": "25",
            "reason": "夸大功效"}
    response = reviewer_client.post(url, data)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.before, preview.after, preview.node.score) == (100, 75, 80)
    assert len(preview.starts) == 4
    assert not Violation.objects.exists()  # the preview writes nothing
    # confirmed without ticking the box: still only the preview
    reviewer_client.post(url, {**data, "confirmed": "True"})
    assert not Violation.objects.exists()
    response = reviewer_client.post(url, {**data, "confirmed": "True", "confirm": "1"})
    assert response.status_code == 302
    violation = Violation.objects.get()
    assert violation.recorded_by.username == "t_reviewer" and violation.points == 25
    assert CreditScore.objects.get(store=store).score == 75
    assert reviewer_client.get(reverse("admin:compliance_violation_change",
                                       args=[violation.pk])).status_code == 200


def test_an_unknown_store_is_named(reviewer_client):
    vtype = ViolationType.objects.get(code="false_advertising")
    response = reviewer_client.post(reverse("admin:compliance_violation_record"), {
        "store": 99999, "type": vtype.pk, "source_kind": "complaint", "reason": "x"})
    assert response.status_code == 200 and response.context["form"].errors["store"]


def test_appeals_queue_and_revocation(reviewer_client, store, merchant):
    violation = svc.violation_record(store=store, type="false_advertising",
                                     source_kind="complaint", points=25, reason="x", actor=None)
    svc.violation_appeal(violation=violation, actor=merchant, text="误判")
    response = reviewer_client.get(reverse("admin:compliance_violationappeal_changelist"))
    assert response.status_code == 200 and str(store) in response.content.decode()
    home = reviewer_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:compliance_violationappeal_changelist") in home
    url = reverse("admin:compliance_violation_decide", args=[violation.pk])
    assert reviewer_client.get(url).status_code == 200
    response = reviewer_client.post(url, {"decision": "revoke", "reason": "申诉成立"})
    assert response.status_code == 302
    violation.refresh_from_db()
    assert violation.status == "revoked" and violation.decided_by.username == "t_reviewer"
    assert CreditScore.objects.get(store=store).score == 100


def test_merchants_do_not_reach_the_admin_screens(merchant_client):
    response = merchant_client.get(reverse("admin:compliance_violation_record"))
    assert response.status_code == 302  # to the admin login
