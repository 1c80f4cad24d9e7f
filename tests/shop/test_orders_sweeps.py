"""The order clocks, with time travel: unpaid cancel (stock back once), 48 h shipping,
72 h pickup, automatic completion. Each sweep run twice changes nothing the second time."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from common import config, deadlines
from shop.models import Order, OrderEvent
from shop.sweeps import (
    cancel_unpaid_orders,
    complete_signed_orders,
    mark_late_pickup,
    mark_late_shipping,
)
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    courier_event,
    listed_sku,
    pay,
    place,
    ship,
    sign,
    store_for,
)

pytestmark = pytest.mark.django_db
START = timezone.datetime(2025, 6, 1, 9, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def sku(merchant):
    return listed_sku(store_for(merchant), stock=10)


def test_sweeps_are_registered():
    assert {"orders.cancel_unpaid", "orders.mark_ship_late", "orders.mark_pickup_late",
            "orders.auto_complete"} <= set(deadlines.registered())


def test_unpaid_orders_cancel_after_30_minutes_and_release_stock_once(buyer, sku):
    with time_machine.travel(START, tick=False):
        order = place(buyer, sku, quantity=3)
    with time_machine.travel(START + timedelta(minutes=29), tick=False):
        assert cancel_unpaid_orders(timezone.now()) == 0
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        assert cancel_unpaid_orders(timezone.now()) == 1
        assert cancel_unpaid_orders(timezone.now()) == 0
    order.refresh_from_db()
    sku.refresh_from_db()
    assert order.status == "cancelled" and sku.stock == 10
    event = order.events.last()
    assert (event.to_status, event.actor) == ("cancelled", None)
    assert order.events.filter(to_status="cancelled").count() == 1


@pytest.fixture
def pay_within_5_minutes(db):
    config.set_value("order.pay_within_minutes", 5)
    yield
    config.forget_cached("order.pay_within_minutes")  # the cache outlives the test database


def test_pay_window_is_configuration(buyer, sku, pay_within_5_minutes):
    with time_machine.travel(START, tick=False):
        order = place(buyer, sku)
    assert order.pay_by == START + timedelta(minutes=5)
    assert cancel_unpaid_orders(START + timedelta(minutes=5)) == 1


def test_paid_orders_are_not_cancelled(buyer, sku):
    with time_machine.travel(START, tick=False):
        pay(place(buyer, sku))
    assert cancel_unpaid_orders(START + timedelta(days=1)) == 0


def test_48_hour_shipping_clock(buyer, sku):
    with time_machine.travel(START, tick=False):
        order = pay(place(buyer, sku))
    assert order.ship_by == START + timedelta(hours=48)
    with time_machine.travel(START + timedelta(hours=47, minutes=59), tick=False):
        assert mark_late_shipping(timezone.now()) == 0
    with time_machine.travel(START + timedelta(hours=48), tick=False):
        assert mark_late_shipping(timezone.now()) == 1
        events = OrderEvent.objects.count()
        assert mark_late_shipping(timezone.now()) == 0
        assert OrderEvent.objects.count() == events
    order.refresh_from_db()
    assert order.shipped_late and order.status == "paid"
    with time_machine.travel(START + timedelta(hours=50), tick=False):
        order = ship(order)
    assert order.shipped_late and order.status == "shipped"


def test_shipping_late_without_the_sweep_is_still_recorded(buyer, sku):
    with time_machine.travel(START, tick=False):
        order = pay(place(buyer, sku))
    with time_machine.travel(START + timedelta(hours=49), tick=False):
        order = ship(order)
    assert order.shipped_late


def test_72_hour_pickup_clock(buyer, sku):
    with time_machine.travel(START, tick=False):
        unpicked = ship(pay(place(buyer, sku)))
        picked = ship(pay(place(buyer, sku)))
        courier_event(picked, "picked_up")
    assert mark_late_pickup(START + timedelta(hours=71)) == 0
    assert mark_late_pickup(START + timedelta(hours=72)) == 1
    assert mark_late_pickup(START + timedelta(hours=72)) == 0
    unpicked.refresh_from_db()
    picked.refresh_from_db()
    assert unpicked.pickup_late and not picked.pickup_late


def test_auto_complete_at_complete_by(buyer, sku):
    with time_machine.travel(START, tick=False):
        order = sign(ship(pay(place(buyer, sku))), at=START)
    assert order.complete_by == START + timedelta(days=7)
    assert complete_signed_orders(START + timedelta(days=7) - timedelta(seconds=1)) == 0
    assert complete_signed_orders(START + timedelta(days=7)) == 1
    assert complete_signed_orders(START + timedelta(days=8)) == 0
    order.refresh_from_db()
    assert order.status == "completed" and order.complete_by is None


def test_sweeps_work_in_batches(buyer, sku):
    with time_machine.travel(START, tick=False):
        orders = [place(buyer, sku) for _ in range(5)]
    assert cancel_unpaid_orders(START + timedelta(hours=1), batch_size=2) == 5
    assert set(Order.objects.filter(pk__in=[o.pk for o in orders]).values_list(
        "status", flat=True)) == {"cancelled"}
    sku.refresh_from_db()
    assert sku.stock == 10


def test_enforce_deadlines_runs_them_all(buyer, sku):
    with time_machine.travel(START, tick=False):
        place(buyer, sku)
        pay(place(buyer, sku))
    result = deadlines.run_all(START + timedelta(hours=80))
    assert result["orders.cancel_unpaid"] == 1
    assert result["orders.mark_ship_late"] == 1
    assert result["orders.mark_pickup_late"] == 1
    assert set(deadlines.run_all(START + timedelta(hours=80)).values()) <= {0}
