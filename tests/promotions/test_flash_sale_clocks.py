"""The start and end clocks of flash sales, with time travel: stock moves out of the SKUs at
the start and the unsold rest comes back at the end, each exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from common import deadlines
from common.errors import ApplicationError
from promotions.models import FlashSale, FlashSaleEvent, FlashSaleItem
from promotions.services.flash_sales import flash_sale_cancel, flash_sale_end_early
from promotions.sweeps import end_due_flash_sales, start_due_flash_sales
from shop.models import DepositAccount, Sku
from tests.promotions.flash_factories import START, make_sale, product_with_skus, store_for
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


def stock(sku):
    return Sku.objects.get(pk=sku.pk).stock


def item(sale, sku):
    return FlashSaleItem.objects.get(sale=sale, sku=sku)


def test_start_takes_the_flash_stock_once_and_end_returns_the_rest_once(store):
    product, (a, b) = product_with_skus(store, stock=50)
    sale = make_sale(store, product, [a, b], stock=10, duration=timedelta(minutes=30))
    assert start_due_flash_sales(START - timedelta(seconds=1)) == 0
    with time_machine.travel(START, tick=False):
        assert deadlines.run_all()["flash_sales.start"] == 1
        assert deadlines.run_all()["flash_sales.start"] == 0
    assert FlashSale.objects.get(pk=sale.pk).status == "running"
    assert stock(a) == 40 and stock(b) == 40
    assert item(sale, a).stock == 10
    FlashSaleItem.objects.filter(sale=sale, sku=a).update(sold=3)  # as purchases would

    assert end_due_flash_sales(START + timedelta(minutes=29)) == 0
    later = START + timedelta(minutes=30)
    assert end_due_flash_sales(later) == 1
    assert end_due_flash_sales(later) == 0
    assert start_due_flash_sales(later) == 0
    sale.refresh_from_db()
    assert sale.status == "ended" and sale.ended_at == later
    assert stock(a) == 47 and stock(b) == 50
    assert item(sale, a).returned == 7 and item(sale, b).returned == 10
    moves = list(FlashSaleEvent.objects.filter(sale=sale).values_list("to_status", flat=True))
    assert moves == ["scheduled", "running", "ended"]
    started = FlashSaleEvent.objects.get(sale=sale, to_status="running")
    assert started.actor is None and started.reason_code == "promotions.flash_started"


def test_a_sku_with_less_than_asked_gives_what_it_has_and_it_is_recorded(store):
    product, (a, b) = product_with_skus(store, stock=4)
    Sku.objects.filter(pk=b.pk).update(stock=0)
    sale = make_sale(store, product, [a, b], stock=10)
    start_due_flash_sales(START)
    assert stock(a) == 0 and item(sale, a).stock == 4 and item(sale, a).requested_stock == 10
    assert item(sale, b).stock == 0
    event = FlashSaleEvent.objects.get(sale=sale, to_status="running")
    assert event.data["skus"][str(a.pk)] == {"requested": 10, "taken": 4}
    assert event.reason_params == {"taken": 4, "requested": 20}
    end_due_flash_sales(START + timedelta(hours=1))
    assert stock(a) == 4 and stock(b) == 0


def test_a_sale_due_at_once_to_start_and_end_after_an_outage_starts_then_ends(store):
    product, (a, b) = product_with_skus(store, stock=20)
    sale = make_sale(store, product, [a, b], stock=5, duration=timedelta(minutes=3))
    with time_machine.travel(START + timedelta(hours=5), tick=False):
        deadlines.run_all()
        deadlines.run_all()
    assert FlashSale.objects.get(pk=sale.pk).status == "ended"
    assert stock(a) == 20 and stock(b) == 20


def test_the_merchant_ends_early_through_the_same_path(store, other_merchant):
    product, (a, b) = product_with_skus(store, stock=20)
    sale = make_sale(store, product, [a, b], stock=5)
    with pytest.raises(ApplicationError):  # not running yet
        flash_sale_end_early(sale=sale, actor=store.merchant, now=START)
    start_due_flash_sales(START)
    with pytest.raises(ApplicationError) as exc:
        flash_sale_end_early(sale=sale, actor=other_merchant, now=START)
    assert exc.value.code == "not_yours"
    flash_sale_end_early(sale=sale, actor=store.merchant, now=START + timedelta(minutes=5))
    with pytest.raises(ApplicationError):
        flash_sale_end_early(sale=sale, actor=store.merchant, now=START + timedelta(minutes=6))
    assert end_due_flash_sales(START + timedelta(hours=2)) == 0
    assert stock(a) == 20 and stock(b) == 20
    ended = FlashSaleEvent.objects.get(sale=sale, to_status="ended")
    assert ended.actor == store.merchant and ended.reason_code == "promotions.flash_ended_early"


def test_a_cancelled_sale_never_starts_and_takes_nothing(store):
    product, (a, b) = product_with_skus(store, stock=20)
    sale = make_sale(store, product, [a, b], stock=5)
    flash_sale_cancel(sale=sale, actor=store.merchant, now=START - timedelta(minutes=1))
    with pytest.raises(ApplicationError):
        flash_sale_cancel(sale=sale, actor=store.merchant, now=START - timedelta(minutes=1))
    assert start_due_flash_sales(START) == 0
    assert FlashSale.objects.get(pk=sale.pk).status == "cancelled"
    assert stock(a) == 20


def test_a_running_sale_cannot_be_cancelled(store):
    product, skus = product_with_skus(store)
    sale = make_sale(store, product, skus)
    start_due_flash_sales(START)
    with pytest.raises(ApplicationError):
        flash_sale_cancel(sale=sale, actor=store.merchant, now=START)


def test_a_store_restricted_at_the_start_does_not_run_it(store):
    product, (a, b) = product_with_skus(store, stock=20)
    sale = make_sale(store, product, [a, b], stock=5)
    DepositAccount.objects.create(store=store, kind="store", shortfall=Decimal("100"),
                                  required_amount=Decimal("500"), restricted_since=START)
    start_due_flash_sales(START)
    sale.refresh_from_db()
    assert sale.status == "cancelled" and stock(a) == 20
    assert FlashSaleEvent.objects.get(sale=sale, to_status="cancelled").reason_code == (
        "promotions.flash_store_restricted")
