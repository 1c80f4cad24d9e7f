"""Buying in a flash sale through the normal order path: the flash price, flash units and
the buyer's count taken in the order's transaction, and given back exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest

from common.errors import ApplicationError
from promotions.models import FlashSaleBuyer, FlashSaleItem
from promotions.services.flash_sales import flash_sale_end_early
from promotions.sweeps import end_due_flash_sales, start_due_flash_sales
from shop.models import Order, Sku
from shop.services.orders import order_cancel, order_close, order_place
from shop.sweeps import cancel_unpaid_orders
from tests.promotions.flash_factories import START, make_sale, product_with_skus, store_for
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    pay,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def running(merchant):
    store = store_for(merchant)
    product, (a, b) = product_with_skus(store, prices=("100.00", "120.00"), stock=50)
    sale = make_sale(store, product, [a, b], flash=["59.00", "79.00"], stock=5, limit=3)
    start_due_flash_sales(START)
    return sale, a, b


def buy(buyer, *lines, now=None):
    return order_place(actor=buyer, address=ADDRESS, now=now or START + timedelta(minutes=1),
                       items=[{"sku": sku.pk, "quantity": q} for sku, q in lines])


def item(sale, sku):
    return FlashSaleItem.objects.get(sale=sale, sku=sku)


def bought(sale, buyer):
    row = FlashSaleBuyer.objects.filter(sale=sale, buyer=buyer).first()
    return row.bought if row else 0


def test_a_flash_line_is_priced_at_the_flash_price_and_held_by_the_sale(running, buyer):
    sale, a, b = running
    order = buy(buyer, (a, 2), (b, 1))
    lines = {line.sku_id: line for line in order.lines.all()}
    assert lines[a.pk].unit_price == D("59.00") and lines[b.pk].unit_price == D("79.00")
    assert lines[a.pk].stock_held_by == "flash_sale"
    assert lines[a.pk].promotion["flash_sale"]["sale"] == sale.pk
    assert order.goods_amount == D("197.00")
    assert Sku.objects.get(pk=a.pk).stock == 45  # only the start took from the SKU
    assert item(sale, a).sold == 2 and item(sale, b).sold == 1
    assert bought(sale, buyer) == 3


def test_the_per_buyer_limit_counts_across_orders_and_skus(running, buyer, other_buyer):
    sale, a, b = running
    buy(buyer, (a, 2))
    with pytest.raises(ApplicationError) as exc:
        buy(buyer, (b, 2))
    assert exc.value.code == "flash_sale_limit"
    with pytest.raises(ApplicationError) as exc:
        buy(other_buyer, (a, 4))  # more than the limit in one order
    assert exc.value.code == "flash_sale_limit"
    buy(buyer, (b, 1))
    assert bought(sale, buyer) == 3 and item(sale, b).sold == 1
    assert Order.objects.count() == 2


def test_the_flash_stock_sells_out(running, make_user):
    sale, a, _b = running
    buyers = [make_user(f"fan{i}", "buyer") for i in range(3)]
    buy(buyers[0], (a, 3))
    buy(buyers[1], (a, 2))
    with pytest.raises(ApplicationError) as exc:
        buy(buyers[2], (a, 1))
    assert exc.value.code == "flash_sale_sold_out"
    assert item(sale, a).sold == 5 and bought(sale, buyers[2]) == 0  # rolled back
    assert Order.objects.count() == 2


def test_a_cancelled_order_gives_its_units_and_count_back_once(running, buyer):
    sale, a, _b = running
    order = buy(buyer, (a, 2))
    order_cancel(order=order, actor=buyer, now=START + timedelta(minutes=2))
    with pytest.raises(ApplicationError):
        order_cancel(order=order, actor=buyer, now=START + timedelta(minutes=2))
    assert item(sale, a).sold == 0 and bought(sale, buyer) == 0
    assert Sku.objects.get(pk=a.pk).stock == 45  # the units went back to the flash stock
    buy(buyer, (a, 3))  # the full limit is available again


def test_an_unpaid_order_times_out_and_gives_back_once(running, buyer):
    sale, a, _b = running
    order = buy(buyer, (a, 2))
    late = order.pay_by + timedelta(seconds=1)
    cancel_unpaid_orders(late)
    cancel_unpaid_orders(late)
    assert item(sale, a).sold == 0 and bought(sale, buyer) == 0


def test_units_given_back_after_the_end_go_to_the_sku(running, buyer):
    sale, a, _b = running
    order = buy(buyer, (a, 2))
    end_due_flash_sales(START + timedelta(hours=1))
    assert Sku.objects.get(pk=a.pk).stock == 48  # the 3 unsold came back
    order_cancel(order=order, actor=buyer, now=START + timedelta(hours=1, minutes=1))
    assert Sku.objects.get(pk=a.pk).stock == 50
    row = item(sale, a)
    assert (row.sold, row.returned, row.stock) == (0, 5, 5)
    assert bought(sale, buyer) == 0


def test_a_paid_order_closed_before_shipping_gives_back_once(running, buyer):
    sale, a, _b = running
    order = pay(buy(buyer, (a, 1)), now=START + timedelta(minutes=2))
    order_close(order=order, actor=None, reason="refunded in full",
                now=START + timedelta(minutes=3))
    assert item(sale, a).sold == 0 and bought(sale, buyer) == 0


def test_an_order_after_the_end_pays_the_regular_price_from_sku_stock(running, buyer):
    sale, a, _b = running
    after = START + timedelta(hours=1)
    order = buy(buyer, (a, 1), now=after)  # the end sweep has not run yet
    line = order.lines.get()
    assert line.unit_price == D("100.00") and line.stock_held_by == ""
    assert Sku.objects.get(pk=a.pk).stock == 44
    end_due_flash_sales(after)
    assert Sku.objects.get(pk=a.pk).stock == 49
    order = buy(buyer, (a, 1), now=after + timedelta(minutes=1))
    assert order.lines.get().unit_price == D("100.00")


def test_an_order_after_an_early_end_pays_the_regular_price(running, buyer):
    sale, a, _b = running
    flash_sale_end_early(sale=sale, actor=sale.store.merchant, now=START + timedelta(minutes=1))
    order = buy(buyer, (a, 1), now=START + timedelta(minutes=2))
    assert order.lines.get().unit_price == D("100.00")
    assert item(sale, a).sold == 0


def test_a_scheduled_sale_does_not_price_orders(merchant, buyer):
    store = store_for(merchant)
    product, skus = product_with_skus(store)
    make_sale(store, product, skus)
    order = buy(buyer, (skus[0], 1), now=START - timedelta(minutes=5))
    assert order.lines.get().unit_price == D("100.00")

