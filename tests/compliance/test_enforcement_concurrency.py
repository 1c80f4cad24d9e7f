"""Simultaneous violations against one store deduct every point once and start one set of
node restrictions; the same source recorded at once makes one violation (PostgreSQL)."""

import pytest

from compliance.enforcement import services as svc
from compliance.enforcement.models import (
    CreditScore,
    CreditScoreEntry,
    Restriction,
    Violation,
    ViolationType,
)
from tests.concurrency import postgres_only, run_threads
from tests.factories import StoreFactory
from tests.shop.order_factories import listed_sku, place


@pytest.fixture(autouse=True)
def _types(transactional_db):
    # a transactional test starts from a flushed database: the seeded types are gone
    for code, points in (("false_advertising", 6), ("late_shipment", 2)):
        ViolationType.objects.get_or_create(code=code, defaults={"name": code,
                                                                 "default_points": points})


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_simultaneous_deductions_are_all_counted_and_apply_one_node():
    from tests.factories import UserFactory

    store = StoreFactory(merchant=UserFactory(role="merchant"))
    results, errors = run_threads(6, lambda i: svc.violation_record(
        store=store.pk, type="false_advertising", source_kind="complaint", points=4,
        reason=f"第{i}次", actor=None).pk)
    assert len(results) == 6 and errors == []
    assert CreditScore.objects.get(store=store).score == 76
    scores = sorted(CreditScoreEntry.objects.filter(store=store).values_list("score_after",
                                                                              flat=True))
    assert scores == [76, 80, 84, 88, 92, 96]
    assert Restriction.objects.filter(store=store, status="active").count() == 4


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_order_recorded_at_once_is_one_violation():
    from tests.factories import UserFactory

    store = StoreFactory(merchant=UserFactory(role="merchant"))
    order = place(UserFactory(role="buyer"), listed_sku(store))
    results, errors = run_threads(4, lambda i: svc.violation_record(
        store=store.pk, type="late_shipment", source_kind="data_screening", source=order,
        actor=None).pk)
    assert len(set(results)) == 1 and errors == []
    assert Violation.objects.filter(store=store).count() == 1
    assert CreditScoreEntry.objects.filter(store=store).count() == 1
