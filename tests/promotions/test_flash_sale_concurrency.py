"""A crowd on one flash SKU, on PostgreSQL: never more sold than the flash stock, never more
to one buyer than the limit, and what is given back is given back once."""

from collections import Counter
from datetime import timedelta

import pytest

from promotions.models import FlashSaleBuyer, FlashSaleItem
from promotions.services.flash_sales import flash_sale_end
from promotions.sweeps import start_due_flash_sales
from shop.models import Order, OrderLine, Sku
from shop.services.orders import order_cancel, order_place
from shop.sweeps import cancel_unpaid_orders
from tests.concurrency import postgres_only, run_threads
from tests.promotions.flash_factories import START, make_sale, product_with_skus, store_for
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

THREADS = 50
NOW = START + timedelta(minutes=1)


def _running_sale(merchant, *, stock, limit, sku_stock=1000):
    store = store_for(merchant)
    product, skus = product_with_skus(store, prices=("100.00",), stock=sku_stock)
    sale = make_sale(store, product, skus, flash=["9.90"], stock=stock, limit=limit)
    start_due_flash_sales(START)
    return sale, skus[0]


def test_a_crowd_buys_exactly_the_flash_stock_and_nobody_passes_the_limit(make_user, merchant):
    # 10 buyers with 5 threads each ask for 50 units; the limit lets them have 30 in all,
    # and the flash stock is 20.
    sale, sku = _running_sale(merchant, stock=20, limit=3)
    buyers = [make_user(f"fan{i}", "buyer") for i in range(THREADS // 5)]

    def buy(i):
        order = order_place(actor=buyers[i % len(buyers)], address=ADDRESS, now=NOW,
                            items=[{"sku": sku.pk, "quantity": 1}])
        return order.pk

    placed, errors = run_threads(THREADS, buy)
    assert set(errors) <= {"flash_sale_sold_out", "flash_sale_limit"}
    assert len(placed) + len(errors) == THREADS
    item = FlashSaleItem.objects.get(sale=sale)
    lines = OrderLine.objects.filter(order_id__in=placed)
    sold = sum(line.quantity for line in lines)
    assert item.sold == sold == item.stock == 20
    assert "flash_sale_sold_out" in errors
    per_buyer = Counter()
    for order in Order.objects.filter(pk__in=placed).prefetch_related("lines"):
        per_buyer[order.buyer_id] += sum(line.quantity for line in order.lines.all())
    assert max(per_buyer.values()) <= 3
    counted = dict(FlashSaleBuyer.objects.filter(sale=sale).values_list("buyer_id", "bought"))
    assert {k: v for k, v in counted.items() if v} == dict(per_buyer)
    assert Sku.objects.get(pk=sku.pk).stock == 1000 - 20  # only the start took from it


def test_many_buyers_one_limit_each_sell_the_stock_exactly(make_user, merchant):
    sale, sku = _running_sale(merchant, stock=17, limit=1)
    buyers = [make_user(f"crowd{i}", "buyer") for i in range(25)]  # 2 threads per buyer

    def buy(i):
        return order_place(actor=buyers[i % 25], address=ADDRESS, now=NOW,
                           items=[{"sku": sku.pk, "quantity": 1}]).pk

    placed, errors = run_threads(THREADS, buy)
    assert len(placed) == 17
    assert FlashSaleItem.objects.get(sale=sale).sold == 17
    owners = Counter(Order.objects.filter(pk__in=placed).values_list("buyer_id", flat=True))
    assert max(owners.values()) == 1


def test_cancel_and_sweep_at_once_give_back_once(make_user, merchant):
    sale, sku = _running_sale(merchant, stock=10, limit=5)
    buyer = make_user("late", "buyer")
    order = order_place(actor=buyer, address=ADDRESS, now=NOW,
                        items=[{"sku": sku.pk, "quantity": 4}])
    later = order.pay_by + timedelta(minutes=1)

    def race(i):
        if i % 2:
            return cancel_unpaid_orders(later)
        return order_cancel(order=order, actor=buyer, now=later).pk

    run_threads(8, race)
    item = FlashSaleItem.objects.get(sale=sale)
    assert item.sold == 0
    assert FlashSaleBuyer.objects.get(sale=sale, buyer=buyer).bought == 0


def test_purchases_racing_the_end_keep_every_unit_accounted_for(make_user, merchant):
    sale, sku = _running_sale(merchant, stock=40, limit=1, sku_stock=100)
    buyers = [make_user(f"race{i}", "buyer") for i in range(THREADS)]

    def race(i):
        if i == THREADS // 2:
            flash_sale_end(sale=sale, now=NOW)
            return None
        return order_place(actor=buyers[i], address=ADDRESS, now=NOW,
                           items=[{"sku": sku.pk, "quantity": 1}]).pk

    placed, _errors = run_threads(THREADS, race)
    placed = [pk for pk in placed if pk]
    item = FlashSaleItem.objects.get(sale=sale)
    flash_lines = OrderLine.objects.filter(order_id__in=placed, stock_held_by="flash_sale")
    regular_lines = OrderLine.objects.filter(order_id__in=placed, stock_held_by="")
    assert item.sold == flash_lines.count()
    assert item.sold + item.returned == item.stock == 40
    # 100 − 40 taken at the start + what was returned − what sold at the regular price
    assert Sku.objects.get(pk=sku.pk).stock == 60 + item.returned - regular_lines.count()
