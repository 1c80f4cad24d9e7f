"""The database connection dropped in the middle of placing an order: nothing half-written.

PostgreSQL itself ends the order's connection (pg_terminate_backend from a second
connection) just before a chosen statement of the order's transaction runs — the line
insert, the timeline event, the flash-sale reservation, the stock update. The statement
fails with OperationalError; afterwards there is no order, no line, no event, no payment,
the stock and the flash-sale counters are as they were, and the buyer's next try (on a
fresh connection) places exactly one order."""

import time
from contextlib import contextmanager
from datetime import timedelta

import psycopg
import pytest
from django.db import OperationalError, connection

from payments.models import Payment
from promotions.models import FlashSaleBuyer, FlashSaleItem
from promotions.sweeps import start_due_flash_sales
from shop.models import Order, OrderEvent, OrderLine, Sku
from shop.services.orders import order_place
from tests.concurrency import postgres_only
from tests.promotions.flash_factories import START, make_sale, product_with_skus
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def _terminate(pid: int) -> None:
    db = connection.settings_dict
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None,
                         host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                         autocommit=True) as other:
        assert other.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                            (pid,)).fetchone():
            assert time.monotonic() < deadline
            time.sleep(0.02)


@contextmanager
def dropped_before(marker: str):
    """Ends this connection on the server just before the first statement containing
    `marker` runs; yields a list that records whether it happened."""
    seen = []

    def wrapper(execute, sql, params, many, context):
        if not seen and marker in sql:
            seen.append(sql)
            _terminate(connection.connection.info.backend_pid)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield seen


def _counts():
    return (Order.objects.count(), OrderLine.objects.count(), OrderEvent.objects.count(),
            Payment.objects.count())


@pytest.mark.parametrize("marker", [
    'INSERT INTO "shop_orderline"', 'INSERT INTO "shop_orderevent"', 'UPDATE "shop_sku"',
])
def test_a_plain_order_is_all_or_nothing(buyer, merchant, marker):
    sku = listed_sku(store_for(merchant), price="25.00", stock=7)
    before = _counts()
    with dropped_before(marker) as seen, pytest.raises(OperationalError):
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 3}], address=ADDRESS)
    assert seen, f"the order never ran {marker}"
    connection.close()  # the application's next request opens a new connection

    assert _counts() == before
    assert Sku.objects.get(pk=sku.pk).stock == 7

    order = order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 3}], address=ADDRESS)
    assert Order.objects.count() == before[0] + 1
    assert list(order.lines.values_list("quantity", flat=True)) == [3]
    assert Sku.objects.get(pk=sku.pk).stock == 4


@pytest.mark.parametrize("marker", [
    # A flash-sale line's stock is held by the sale (no SKU update): the reservation is the
    # last write.
    'INSERT INTO "shop_orderline"', 'INSERT INTO "shop_orderevent"',
    'UPDATE "promotions_flashsaleitem"',
])
def test_a_flash_sale_order_gives_back_its_reservation(buyer, merchant, marker):
    product, skus = product_with_skus(store_for(merchant), prices=("100.00",), stock=50)
    sale = make_sale(product.store, product, skus, flash=["9.90"], stock=5, limit=2)
    start_due_flash_sales(START)
    now = START + timedelta(minutes=1)
    item = FlashSaleItem.objects.get(sale=sale)
    before, sold, sku_stock = _counts(), item.sold, Sku.objects.get(pk=skus[0].pk).stock

    with dropped_before(marker) as seen, pytest.raises(OperationalError):
        order_place(actor=buyer, items=[{"sku": skus[0].pk, "quantity": 2}],
                    address=ADDRESS, now=now)
    connection.close()
    if not seen:
        pytest.fail(f"the flash-sale order never ran {marker}")

    assert _counts() == before
    assert FlashSaleItem.objects.get(pk=item.pk).sold == sold
    assert Sku.objects.get(pk=skus[0].pk).stock == sku_stock
    assert not FlashSaleBuyer.objects.filter(sale=sale, buyer=buyer, bought__gt=0).exists()

    # The buyer's limit was not used up by the lost attempt.
    order = order_place(actor=buyer, items=[{"sku": skus[0].pk, "quantity": 2}],
                        address=ADDRESS, now=now)
    assert str(order.lines.get().unit_price) == "9.90"
    assert FlashSaleItem.objects.get(pk=item.pk).sold == sold + 2
