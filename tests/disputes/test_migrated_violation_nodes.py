"""After-sale violations migrated from timeline events start the node restrictions their
deductions reached, through the same rules function as the live path, with their clocks
from when the node was reached; running the migration again changes nothing."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps as django_apps

from compliance.enforcement.models import Restriction, ViolationType
from disputes.models import AfterSaleEvent
from shop.selectors.stores import store_abilities
from tests.disputes.aftersale_factories import START, open_request, signed_order
from tests.shop.order_factories import listed_sku

pytestmark = pytest.mark.django_db
KINDS = {"warning", "publish", "campaign", "cart"}


@pytest.fixture
def store(merchant):
    from tests.factories import StoreFactory

    return StoreFactory(merchant=merchant)


def migrate(now):
    events = importlib.import_module(
        "disputes.migrations.0008_violation_events_become_violations")
    events.forwards(django_apps, None)
    nodes = importlib.import_module(
        "disputes.migrations.0009_migrated_violations_apply_credit_nodes")
    return nodes.apply_nodes(django_apps, now=now)


def old_violation_event(buyer, sku, at):
    request = open_request(signed_order(buyer, sku))
    return AfterSaleEvent.objects.create(
        request=request, from_status="pending", to_status="pending", side="system", at=at,
        reason="Missed the 36 h contact deadline", data={"violation": "contact_missed"})


def active(store):
    return Restriction.objects.filter(store=store, status="active")


def test_migrated_violations_start_the_heaviest_node_they_reach_once(
        time_machine, buyer, store):
    time_machine.move_to(START, tick=False)
    ViolationType.objects.filter(code="aftersale_contact_missed").update(default_points=25)
    sku = listed_sku(store, stock=10)
    old_violation_event(buyer, sku, START)  # 100 → 75: node 80
    old_violation_event(buyer, sku, START + timedelta(days=2))  # 75 → 50: node 60
    now = START + timedelta(days=3)
    assert migrate(now) == 8
    assert {(r.kind, r.node_score, r.ends_at) for r in active(store)} == {
        (kind, 60, START + timedelta(days=2 + 21)) for kind in KINDS}
    superseded = Restriction.objects.filter(store=store, status="superseded")
    assert {(r.kind, r.node_score) for r in superseded} == {(kind, 80) for kind in KINDS}
    assert all(r.events.last().reason_code == "compliance.restriction_superseded"
               for r in superseded)
    assert {r.events.first().reason_code for r in active(store)} == {"compliance.node_reached"}
    abilities = store_abilities(store, now=now)
    assert not abilities.may_sell
    # idempotent
    assert migrate(now + timedelta(hours=1)) == 0
    assert Restriction.objects.filter(store=store).count() == 8
    assert active(store).count() == 4


def test_a_node_whose_clock_ran_out_long_ago_is_not_started(time_machine, buyer, store):
    time_machine.move_to(START, tick=False)
    ViolationType.objects.filter(code="aftersale_contact_missed").update(default_points=25)
    old_violation_event(buyer, listed_sku(store), START)
    assert migrate(START + timedelta(days=15)) == 0
    assert not Restriction.objects.filter(store=store).exists()


def test_violations_below_every_node_start_nothing(time_machine, buyer, store):
    time_machine.move_to(START, tick=False)
    old_violation_event(buyer, listed_sku(store), START)  # 1 point
    assert migrate(START + timedelta(days=1)) == 0
    assert not Restriction.objects.filter(store=store).exists()
