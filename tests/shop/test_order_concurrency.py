"""Many buyers at once on PostgreSQL: stock never negative, never sold twice; a refund key
pays once; a sweep and a buyer cancelling at once release stock once."""

from decimal import Decimal

import pytest

from payments.models import Payment
from shop.models import Order, Sku
from shop.services.order_payments import order_refund
from shop.services.orders import order_cancel, order_place
from shop.sweeps import cancel_unpaid_orders
from tests.concurrency import postgres_only, run_threads
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    store_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_stock_is_never_sold_twice(make_user, merchant):
    store = store_for(merchant)
    a, b = listed_sku(store, stock=7), listed_sku(store, stock=100)
    buyers = [make_user(f"crowd{i}", "buyer") for i in range(20)]

    def buy(i):
        # Each order takes one of the scarce SKU and one of the other, in either order.
        items = [{"sku": a.pk, "quantity": 1}, {"sku": b.pk, "quantity": 1}]
        return order_place(actor=buyers[i], items=items[:: 1 if i % 2 else -1],
                           address=ADDRESS).pk

    placed, errors = run_threads(20, buy)
    assert len(placed) == 7 and errors == ["out_of_stock"] * 13
    assert Sku.objects.get(pk=a.pk).stock == 0
    assert Sku.objects.get(pk=b.pk).stock == 100 - 7  # the losers' reservations rolled back
    assert Order.objects.count() == 7


def test_cancel_and_sweep_at_once_release_stock_once(buyer, merchant):
    from datetime import timedelta

    sku = listed_sku(store_for(merchant), stock=10)
    order = place(buyer, sku, quantity=4)
    later = order.pay_by + timedelta(minutes=1)

    def race(i):
        if i % 2:
            return cancel_unpaid_orders(later)
        return order_cancel(order=order, actor=buyer, now=later).pk

    run_threads(6, race)
    assert Sku.objects.get(pk=sku.pk).stock == 10
    assert Order.objects.get(pk=order.pk).events.filter(to_status="cancelled").count() == 1


def test_refund_key_pays_out_once_under_a_crowd(buyer, merchant):
    order = pay(place(buyer, listed_sku(store_for(merchant), price="50.00")))

    def refund(i):
        return order_refund(order=order, amount="20.00", idempotency_key="dispute:1",
                              actor=merchant, reason="ruling").pk

    results, errors = run_threads(8, refund)
    assert errors == [] and len(set(results)) == 1
    assert Payment.objects.filter(kind="refund").count() == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == Decimal("20.00")
