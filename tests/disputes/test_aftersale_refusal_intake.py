"""The refused-parcel sweep handles each returned-parcel event once (RefusedParcelIntake),
reads only a window after the newest handled event, and leaves fully paid-out lines alone
after the first look."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest

from common import config
from disputes import services, sweeps
from disputes.models import AfterSaleRequest, RefusedParcelIntake
from tests.concurrency import postgres_only, run_threads
from tests.disputes.aftersale_factories import (
    START,
    escalate_and_take,
    fresh,
    fund_deposit,
    open_request,
    paid_order,
    refused_and_returned,
    rule,
    sku_for,
)
from tests.shop.order_factories import courier_event, ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def note_calls(monkeypatch):
    """How many times the sweep looked into an order's lines for a returned parcel."""
    calls = []
    real = services.refused_parcel_note

    def spy(tracking, *, now):
        calls.append(tracking.pk)
        return real(tracking, now=now)

    monkeypatch.setattr(services.clocks, "refused_parcel_note", spy)
    return calls


def test_a_fully_paid_out_line_is_looked_at_once(travel, buyer, agent, store, note_calls):
    fund_deposit(store)
    travel(START)
    order = ship(paid_order(buyer, sku_for(store)))
    request = escalate_and_take(open_request(order, kind="refund_only", reason="not_received"),
                                by=buyer, agent=agent)
    rule(request, agent, outcome="full_refund", fault="merchant_other",
         platform_pays_first=True)
    request = fresh(request)
    assert request.payout_amount == Decimal("100.00") and request.status == "refunded"
    order.refresh_from_db()
    assert order.refunded_amount == 0  # paid out by the platform, not refunded on the order
    refused_and_returned(order, at=START + timedelta(hours=2))
    later = START + timedelta(hours=4)
    assert sweeps.refusal_intake(later) == 0
    assert sweeps.refusal_intake(later) == 0
    assert sweeps.refusal_intake(later + timedelta(days=1)) == 0
    assert len(note_calls) == 1
    intake = RefusedParcelIntake.objects.get()
    assert intake.requests_touched == 0 and intake.order_id == order.pk
    assert AfterSaleRequest.objects.count() == 1  # nothing opened for a paid-out line


def test_each_event_is_handled_once_and_recorded(travel, buyer, store, note_calls):
    travel(START)
    order = ship(paid_order(buyer, sku_for(store)))
    refused_and_returned(order, at=START + timedelta(hours=1))
    back = START + timedelta(hours=2)
    assert sweeps.refusal_intake(back) == 1
    assert sweeps.refusal_intake(back) == 0 and len(note_calls) == 1
    intake = RefusedParcelIntake.objects.get()
    assert intake.at == back and intake.requests_touched == 1 and intake.handled_at == back
    request = AfterSaleRequest.objects.get(order=order)
    assert request.opened_by_system and request.refusal_tracking_id == intake.tracking_event_id


def test_a_returned_parcel_waits_for_a_late_refusal_event(travel, buyer, store):
    travel(START)
    order = ship(paid_order(buyer, sku_for(store)))
    returned_at = START + timedelta(hours=3)
    courier_event(order, "returned", at=returned_at, event_id=f"{order.number}-returned")
    assert sweeps.refusal_intake(returned_at + timedelta(minutes=1)) == 0
    assert not RefusedParcelIntake.objects.exists()  # not refused (yet): nothing recorded
    courier_event(order, "refused", at=START + timedelta(hours=2),
                  event_id=f"{order.number}-refused")
    assert sweeps.refusal_intake(returned_at + timedelta(minutes=2)) == 1
    assert fresh(AfterSaleRequest.objects.get(order=order)).refusal_refund_by == (
        returned_at + timedelta(hours=48))


def test_the_sweep_reads_only_a_window_after_the_newest_handled_event(travel, buyer, store):
    travel(START)
    newer = ship(paid_order(buyer, sku_for(store)))
    older = ship(paid_order(buyer, sku_for(store)))
    refused_and_returned(newer, at=START + timedelta(days=10))
    assert sweeps.refusal_intake(START + timedelta(days=10, hours=2)) == 1
    # A courier event stamped 8 days before the newest handled one arrives only now: it is
    # outside the default 7-day window, so the sweep does not read it…
    refused_and_returned(older, at=START + timedelta(days=2))
    now = START + timedelta(days=10, hours=3)
    assert sweeps.refusal_intake_due(now).count() == 0
    assert sweeps.refusal_intake(now) == 0
    # …and a longer lookback brings it in.
    config.set_value("aftersale.refusal_intake_lookback_days", 9)
    assert sweeps.refusal_intake_due(now).count() == 1
    assert sweeps.refusal_intake(now) == 1
    assert AfterSaleRequest.objects.filter(order=older, opened_by_system=True).count() == 1


def test_a_standing_ruling_on_the_line_is_kept_and_noted(travel, buyer, agent, store):
    travel(START)
    order = ship(paid_order(buyer, sku_for(store)))
    request = escalate_and_take(open_request(order, kind="refund_only", reason="not_received"),
                                by=buyer, agent=agent)
    rule(request, agent, outcome="rejected", fault="buyer", reasoning="物流显示已妥投")
    refused_and_returned(order, at=START + timedelta(hours=5))
    assert sweeps.refusal_intake(START + timedelta(hours=7)) == 1
    assert AfterSaleRequest.objects.filter(order=order).count() == 1
    assert fresh(request).status == "closed"
    assert fresh(request).events.filter(data__has_key="tracking").count() == 1


def test_the_migration_records_events_already_noted_as_handled(travel, buyer, store):
    travel(START)
    order = ship(paid_order(buyer, sku_for(store)))
    refused_and_returned(order, at=START + timedelta(hours=1))
    assert sweeps.refusal_intake(START + timedelta(hours=2)) == 1
    # As the data stood before this change: requests noted, no intake rows.
    RefusedParcelIntake.objects.all().delete()
    AfterSaleRequest.objects.update(next_deadline=None, finished=True)
    migration = importlib.import_module(
        "disputes.migrations.0003_fill_next_deadline_and_refusal_intake")
    from django.apps import apps

    migration.fill(apps, None)
    intake = RefusedParcelIntake.objects.get()
    assert intake.requests_touched == 1 and intake.order_id == order.pk
    assert sweeps.refusal_intake(START + timedelta(hours=3)) == 0
    request = AfterSaleRequest.objects.get(order=order)
    assert request.next_deadline == request.refusal_refund_by and not request.finished


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_intakes_handle_each_event_once(travel, buyer, store):
    travel(START)
    orders = [ship(paid_order(buyer, sku_for(store))) for _ in range(5)]
    for order in orders:
        refused_and_returned(order, at=START + timedelta(hours=1))
    results, errors = run_threads(6, lambda i: sweeps.refusal_intake(START + timedelta(hours=3)))
    assert errors == [] and sum(results) == 5
    assert RefusedParcelIntake.objects.count() == 5
    assert AfterSaleRequest.objects.filter(opened_by_system=True).count() == 5
    results, errors = run_threads(3, lambda i: sweeps.refusal_intake(START + timedelta(hours=4)))
    assert errors == [] and sum(results) == 0
