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
