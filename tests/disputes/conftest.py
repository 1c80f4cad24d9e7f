"""Fixtures of the after-sale tests: a store with a return address and a SKU to sell."""

import pytest
import time_machine

from disputes import services
from tests.disputes.aftersale_factories import RETURN_ADDRESS, sku_for
from tests.shop.order_factories import store_for


@pytest.fixture
def travel():
    """travel(dt) pins the clock at dt (no ticking) until the test ends or the next call."""
    state = {}

    def go(when):
        if "t" in state:
            state["t"].stop()
        state["t"] = time_machine.travel(when, tick=False)
        state["t"].start()
        return when

    yield go
    if "t" in state:
        state["t"].stop()


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def other_store(other_merchant):
    return store_for(other_merchant)


@pytest.fixture
def return_address(store, merchant):
    return services.merchant_return_address_set(store=store, actor=merchant,
                                                address=RETURN_ADDRESS)


@pytest.fixture
def sku(store):
    return sku_for(store)


@pytest.fixture(autouse=True)
def _list_columns_follow_the_clocks(request):
    """After every database test: each request's stored next_deadline is its nearest clock
    and `finished` matches its status — whatever path the test took, the transition service
    and the sweeps kept the list columns right."""
    yield
    if request.node.get_closest_marker("django_db") is None:
        return
    from disputes import rules
    from disputes.models import AfterSaleRequest

    fields = ("pk", "status", "next_deadline", "finished", *rules.CLOCKS)
    for row in AfterSaleRequest.objects.values(*fields):
        assert row["next_deadline"] == rules.next_deadline(row), row
        assert row["finished"] is (row["status"] not in rules.OPEN_STATUSES), row
