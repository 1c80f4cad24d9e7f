"""The one transition writer of qualifications and its batch variant, which the expiry
sweep goes through: the table, refused moves (nothing written), one event row per move,
one UPDATE and one insert per batch, and a sweep that can run twice."""

from datetime import date, datetime, timedelta
from itertools import product as pairs
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from common.errors import ApplicationError
from compliance import services
from compliance.models import Qualification, QualificationEvent
from compliance.rules import QUALIFICATION_TRANSITIONS, qualification_can_move

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 7, 1, 0, 1, tzinfo=CST)
STATUSES = Qualification.Status.values
MOVES = {
    ("pending", "approved"), ("pending", "rejected"),
    ("approved", "expired"), ("approved", "superseded"),
}


def _qualification(store, qtype, status, *, expires_at=None):
    return Qualification.objects.create(
        store=store, type=qtype("food_business_licence"), number="JY1", issuer="市场监管局",
        valid_from=date(2025, 1, 1), valid_until=date(2026, 6, 30), status=status,
        expires_at=expires_at,
    )


# --- the table ----------------------------------------------------------------------------------
def test_every_status_has_a_row_and_every_move_ends_in_a_status():
    assert set(QUALIFICATION_TRANSITIONS) == set(STATUSES)
    assert all(targets <= set(STATUSES) for targets in QUALIFICATION_TRANSITIONS.values())


@pytest.mark.parametrize("old,new", list(pairs(STATUSES, repeat=2)))
def test_the_table_is_exactly_the_review_and_the_clock(old, new):
    assert qualification_can_move(old, new) == ((old, new) in MOVES)


# --- the writer ------------------------------------------------------------------------------------
@pytest.mark.parametrize("old,new", list(pairs(STATUSES, repeat=2)))
def test_the_writer_moves_what_the_table_allows_and_nothing_else(
    old, new, tree, qtype, store, reviewer
):
    qualification = _qualification(store, qtype, old)
    if (old, new) not in MOVES:
        with pytest.raises(ApplicationError) as err, transaction.atomic():
            services.qualification_transition(
                qualification, new, actor=reviewer, reason="r", now=NOW
            )
        # The code the qualification services have always refused a move with.
        assert err.value.code == "invalid_transition"
        assert Qualification.objects.get(pk=qualification.pk).status == old
        assert not qualification.events.exists()
        return
    with transaction.atomic():
        services.qualification_transition(
            qualification, new, actor=reviewer, reason="r", now=NOW,
            fields={"reviewed_by": reviewer, "reviewed_at": NOW},
        )
    stored = Qualification.objects.get(pk=qualification.pk)
    assert (stored.status, stored.reviewed_by, stored.reviewed_at) == (new, reviewer, NOW)
    event = qualification.events.get()
    assert (event.from_status, event.to_status, event.actor, event.reason, event.at) == (
        old, new, reviewer, "r", NOW
    )


def test_a_batch_with_one_row_that_may_not_move_writes_nothing(tree, qtype, store):
    rows = [_qualification(store, qtype, "approved"), _qualification(store, qtype, "pending")]
    with pytest.raises(ApplicationError), transaction.atomic():
        services.qualifications_transition_batch(rows, "expired", reason="r", now=NOW)
    assert sorted(Qualification.objects.values_list("status", flat=True)) == [
        "approved", "pending"
    ]
    assert not QualificationEvent.objects.exists()


def _batch_queries(store, qtype, n):
    rows = [_qualification(store, qtype, "approved") for _ in range(n)]
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        moved = services.qualifications_transition_batch(rows, "expired", reason="r", now=NOW)
    assert sorted(moved) == sorted(q.pk for q in rows)
    assert all(q.status == "expired" for q in rows)  # the rows in hand follow
    return len(queries)


def test_a_batch_is_one_update_and_one_insert_whatever_its_size(tree, qtype, store):
    assert _batch_queries(store, qtype, 2) == _batch_queries(store, qtype, 7)
    assert set(Qualification.objects.values_list("status", flat=True)) == {"expired"}
    assert set(QualificationEvent.objects.values_list("from_status", "to_status", "actor")) == {
        ("approved", "expired", None)
    }
    assert QualificationEvent.objects.count() == 9


# --- the expiry sweep --------------------------------------------------------------------------------
def test_the_expiry_sweep_moves_what_is_due_through_the_table_once(tree, qtype, store):
    due = [
        _qualification(store, qtype, "approved", expires_at=NOW - timedelta(minutes=m))
        for m in range(1, 6)
    ]
    later = _qualification(store, qtype, "approved", expires_at=NOW + timedelta(minutes=1))
    pending = _qualification(store, qtype, "pending", expires_at=NOW - timedelta(days=1))

    assert services.qualification_expire_due(now=NOW, batch_size=2) == 5
    assert services.qualification_expire_due(now=NOW, batch_size=2) == 0  # idempotent

    for q in due:
        q.refresh_from_db()
        assert q.status == "expired"
        event = q.events.get()
        assert (event.from_status, event.to_status, event.actor, event.at) == (
            "approved", "expired", None, NOW
        )
    for q, status in ((later, "approved"), (pending, "pending")):
        q.refresh_from_db()
        assert q.status == status and not q.events.exists()


def test_the_merchant_reads_the_expiry_as_a_label(tree, qtype, store, merchant_client):
    qualification = _qualification(store, qtype, "approved", expires_at=NOW - timedelta(days=1))
    services.qualification_expire_due(now=NOW)
    merchant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = merchant_client.get(
        reverse("seller_compliance:qualification", args=[qualification.pk])
    ).content.decode()
    timeline = body[body.index('class="timeline"'):]
    assert "Expired" in timeline and "<br>expired" not in timeline
