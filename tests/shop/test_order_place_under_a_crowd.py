"""Placing orders under a crowd (a flash sale): orders of one SKU are admitted a few at a
time per server process (order.max_in_flight_per_sku) — the whole purchase, its reads
included, runs inside the SKU's slot, given back whether the order is placed or refused;
and an order number (the second, then 8 random digits) drawn twice is drawn again in the
same transaction, never a failed order, nothing half-written when every draw is taken."""

import pytest

from common import config
from common.errors import ApplicationError
from shop.models import Order, OrderEvent, Sku
from shop.services import orders
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sku(merchant):
    return listed_sku(store_for(merchant), stock=5)


@pytest.fixture
def gate_size_three():
    config.set_value("order.max_in_flight_per_sku", 3)
    orders._SKU_GATE.forget_size()
    yield
    orders._SKU_GATE.forget_size()  # the next test reads its own setting


def test_the_whole_purchase_holds_its_skus_slots(sku, buyer, monkeypatch, gate_size_three):
    seen = []
    read = orders._order_skus

    class Spy:
        def run(self, **kw):
            seen.append((orders._SKU_GATE.holders(sku.pk), orders._SKU_GATE.size()))
            return read.run(**kw)

    monkeypatch.setattr(orders, "_order_skus", Spy())
    place(buyer, sku)
    assert seen == [(1, 3)]
    assert orders._SKU_GATE.holders(sku.pk) == 0
    with pytest.raises(ApplicationError) as refused:
        place(buyer, sku, 5)  # four pieces left
    assert refused.value.code == "out_of_stock"
    assert len(seen) == 2 and orders._SKU_GATE.holders(sku.pk) == 0


def test_a_number_already_taken_is_drawn_again(sku, buyer, monkeypatch):
    first = place(buyer, sku)
    draws = iter([first.number, first.number, "26120600000000000001"])
    monkeypatch.setattr(orders, "_new_order_number", lambda now: next(draws))
    second = place(buyer, sku)
    assert second.number == "26120600000000000001"
    assert Order.objects.get(pk=second.pk).number == second.number
    assert Order.objects.count() == 2 and Sku.objects.get(pk=sku.pk).stock == 3


def test_when_every_draw_is_taken_the_order_is_refused_and_nothing_written(
        sku, buyer, monkeypatch):
    first = place(buyer, sku)
    monkeypatch.setattr(orders, "_new_order_number", lambda now: first.number)
    with pytest.raises(ApplicationError) as refused:
        place(buyer, sku)
    assert refused.value.code == "order_number_taken"
    assert Order.objects.count() == 1 and OrderEvent.objects.count() == 1
    assert Sku.objects.get(pk=sku.pk).stock == 4
