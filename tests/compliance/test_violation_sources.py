"""Other apps record violations through compliance's one service: late shipments and
pickups once per order, after-sale faults with the request as source; after-sale
violations recorded as events before are migrated into rows."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps

from compliance.enforcement.models import CreditScore, CreditScoreEntry, Violation
from disputes import sweeps as dispute_sweeps
from disputes.models import AfterSaleEvent
from shop.sweeps import mark_late_pickup, mark_late_shipping
from tests.disputes.aftersale_factories import START, open_request, signed_order
from tests.shop.order_factories import listed_sku, pay, place

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    from tests.factories import StoreFactory

    return StoreFactory(merchant=merchant)


@pytest.fixture
def sku(store):
    return listed_sku(store)


def test_a_late_shipment_and_a_late_pickup_are_each_recorded_once_per_order(
        time_machine, buyer, sku, store):
    time_machine.move_to(START, tick=False)
    order = pay(place(buyer, sku))
    later = START + timedelta(days=5)
    assert mark_late_shipping(later) == 1
    assert mark_late_shipping(later) == 0
    assert mark_late_pickup(later) == 1
    assert mark_late_pickup(later) == 0
    rows = Violation.objects.filter(store=store).order_by("type__code")
    assert [(v.type.code, v.source) for v in rows] == [("late_pickup", order),
                                                       ("late_shipment", order)]
    assert rows[1].reason_params == {"order": order.number}
    assert CreditScore.objects.get(store=store).score == 100 - sum(v.points for v in rows)


def test_a_missed_after_sale_contact_is_a_violation_with_the_request_as_source(
        time_machine, buyer, sku, store):
    time_machine.move_to(START, tick=False)
    request = open_request(signed_order(buyer, sku))
    assert dispute_sweeps.contact_missed(START + timedelta(hours=36)) == 1
    violation = Violation.objects.get(store=store)
    assert violation.type.code == "aftersale_contact_missed"
    assert violation.source == request and violation.source_kind == "complaint"
    event = AfterSaleEvent.objects.get(request=request, data__has_key="violation")
    assert event.data == {"violation": "contact_missed", "violation_id": violation.pk}


def test_violation_events_recorded_before_become_rows_once(time_machine, buyer, sku, store):
    time_machine.move_to(START, tick=False)
    request = open_request(signed_order(buyer, sku))
    AfterSaleEvent.objects.create(request=request, from_status="pending",
                                  to_status="pending", side="system", at=START,
                                  reason="Missed the 36 h contact deadline",
                                  data={"violation": "contact_missed"})
    migration = importlib.import_module(
        "disputes.migrations.0008_violation_events_become_violations")
    migration.forwards(django_apps, None)
    migration.forwards(django_apps, None)
    violation = Violation.objects.get(store=store)
    assert violation.source == request and violation.recorded_at == START
    assert CreditScoreEntry.objects.get(store=store).violation == violation
    event = AfterSaleEvent.objects.get(request=request, data__has_key="violation")
    assert event.data["violation_id"] == violation.pk
