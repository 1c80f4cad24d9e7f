"""Orders of one SKU are admitted a few at a time per server process
(order.max_in_flight_per_sku): the whole purchase, its reads included, runs inside the
SKU's slot, and the slot is given back whether the order is placed or refused."""

import pytest

from common import config
from common.errors import ApplicationError
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
    return listed_sku(store_for(merchant), stock=1)


def test_the_whole_purchase_holds_its_skus_slots(sku, buyer, monkeypatch):
    config.set_value("order.max_in_flight_per_sku", 3)
    orders._SKU_GATE.forget_size()
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
        place(buyer, sku)  # the one piece is gone
    assert refused.value.code == "out_of_stock"
    assert len(seen) == 2 and orders._SKU_GATE.holders(sku.pk) == 0
