"""Flash-sale rules and creation: the transition table, the duration and price edges, one
SKU in one sale at a time, and stores that may not sell."""

from datetime import timedelta
from decimal import Decimal

import pytest

from common.errors import ApplicationError
from promotions.models import FlashSale, FlashSaleEvent, FlashSaleItem
from promotions.rules.flash_sales import (
    FLASH_SALE_TRANSITIONS,
    duration_problem,
    flash_price_problem,
    flash_units_to_take,
    windows_overlap,
)
from promotions.services.flash_sales import flash_sale_cancel
from shop.models import DepositAccount, Product, Sku
from tests.promotions.flash_factories import START, make_sale, product_with_skus, store_for
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

ALL = ["scheduled", "running", "ended", "cancelled"]
ALLOWED = {("scheduled", "running"), ("scheduled", "cancelled"), ("running", "ended")}


@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
def test_the_transition_table_allows_exactly_these_moves(old, new):
    assert (new in FLASH_SALE_TRANSITIONS[old]) == ((old, new) in ALLOWED)


@pytest.mark.parametrize(("duration", "problem"), [
    (timedelta(minutes=2, seconds=59), "too_short"),
    (timedelta(minutes=3), ""),
    (timedelta(hours=24), ""),
    (timedelta(hours=24, seconds=1), "too_long"),
])
def test_duration_bounds_are_inclusive(duration, problem):
    assert duration_problem(duration, min_minutes=3, max_minutes=1440) == problem


@pytest.mark.parametrize(("flash", "regular", "problem"), [
    ("99.99", "100.00", ""), ("100.00", "100.00", "not_below_regular"),
    ("100.01", "100.00", "not_below_regular"), ("0.00", "100.00", "not_positive"),
    ("0.01", "100.00", ""),
])
def test_flash_price_must_be_above_zero_and_below_regular(flash, regular, problem):
    assert flash_price_problem(Decimal(flash), Decimal(regular)) == problem


def test_windows_overlap_half_open_and_units_to_take():
    h = timedelta(hours=1)
    assert windows_overlap(START, START + h, START + h / 2, START + 2 * h)
    assert not windows_overlap(START, START + h, START + h, START + 2 * h)
    assert flash_units_to_take(10, 4) == 4 and flash_units_to_take(10, 40) == 10
    assert flash_units_to_take(10, 0) == 0


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.mark.django_db
@pytest.mark.parametrize(("duration", "ok"), [
    (timedelta(minutes=2, seconds=59), False),
    (timedelta(minutes=3), True),
    (timedelta(hours=24), True),
    (timedelta(hours=24, seconds=1), False),
])
def test_create_accepts_three_minutes_to_twenty_four_hours(store, duration, ok):
    product, skus = product_with_skus(store)
    if ok:
        sale = make_sale(store, product, skus, duration=duration)
        assert sale.ends_at - sale.starts_at == duration
        assert sale.status == FlashSale.Status.SCHEDULED
        assert FlashSaleEvent.objects.get(sale=sale).to_status == "scheduled"
    else:
        with pytest.raises(ApplicationError) as exc:
            make_sale(store, product, skus, duration=duration)
        assert exc.value.field == "duration"
        assert FlashSale.objects.count() == 0


@pytest.mark.django_db
def test_the_duration_bounds_are_configuration(store):
    from common import config

    config.set_value("flash_sale.min_duration_minutes", 10)
    product, skus = product_with_skus(store)
    with pytest.raises(ApplicationError):
        make_sale(store, product, skus, duration=timedelta(minutes=9))
    make_sale(store, product, skus, duration=timedelta(minutes=10))


@pytest.mark.django_db
def test_every_sku_needs_its_own_flash_price_below_its_regular_price(store):
    product, (a, b) = product_with_skus(store, prices=("100.00", "120.00"))
    with pytest.raises(ApplicationError) as exc:
        make_sale(store, product, [a, b], flash=["99.99", "120.00"])
    assert exc.value.code == "invalid_items"
    assert set(exc.value.extra["fields"]) == {f"sku-{b.pk}-price"}
    with pytest.raises(ApplicationError) as exc:  # a SKU left out
        make_sale(store, product, [a], flash=["90.00"])
    assert set(exc.value.extra["fields"]) == {f"sku-{b.pk}-price", f"sku-{b.pk}-stock"}
    for junk in ("", "abc", "NaN", "Infinity", "-1"):
        with pytest.raises(ApplicationError) as exc:
            make_sale(store, product, [a, b], flash=["99.99", junk])
        assert set(exc.value.extra["fields"]) == {f"sku-{b.pk}-price"}
    sale = make_sale(store, product, [a, b], flash=["99.99", "80.00"])
    prices = dict(FlashSaleItem.objects.filter(sale=sale).values_list("sku_id", "flash_price"))
    assert prices == {a.pk: Decimal("99.99"), b.pk: Decimal("80.00")}


@pytest.mark.django_db
def test_flash_stock_and_limit_must_be_positive_whole_numbers(store):
    product, skus = product_with_skus(store)
    with pytest.raises(ApplicationError) as exc:
        make_sale(store, product, skus, stock=0)
    assert all(k.endswith("-stock") for k in exc.value.extra["fields"])
    for bad in (0, "x", 100):
        with pytest.raises(ApplicationError) as exc:
            make_sale(store, product, skus, limit=bad)
        assert exc.value.field == "per_buyer_limit"


@pytest.mark.django_db
def test_only_a_listed_own_product_of_the_store(store, other_merchant):
    other_product, other_skus = product_with_skus(store_for(other_merchant))
    with pytest.raises(ApplicationError) as exc:
        make_sale(store, other_product, other_skus)
    assert exc.value.code == "not_yours"
    product, skus = product_with_skus(store)
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DELISTED)
    product.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        make_sale(store, product, skus)
    assert exc.value.code == "not_listed"
    bare, skus = product_with_skus(store)
    Sku.objects.filter(product=bare).update(is_active=False)
    with pytest.raises(ApplicationError) as exc:
        make_sale(store, bare, [])
    assert exc.value.code == "no_skus"


@pytest.mark.django_db
def test_a_start_in_the_past_is_refused(store):
    product, skus = product_with_skus(store)
    with pytest.raises(ApplicationError) as exc:
        make_sale(store, product, skus, now=START + timedelta(seconds=1))
    assert exc.value.field == "starts_at"


@pytest.mark.django_db
def test_one_sku_cannot_be_in_two_overlapping_sales(store):
    product, skus = product_with_skus(store)
    first = make_sale(store, product, skus, starts_at=START, duration=timedelta(hours=2))
    for start in (START, START + timedelta(hours=1), START - timedelta(minutes=30)):
        with pytest.raises(ApplicationError) as exc:
            make_sale(store, product, skus, starts_at=start, duration=timedelta(hours=1),
                      now=START - timedelta(hours=2))
        assert exc.value.code == "overlapping_sale"
    # back to back is fine, and so is the same time once the first one is cancelled
    make_sale(store, product, skus, starts_at=START + timedelta(hours=2),
              duration=timedelta(hours=1), now=START - timedelta(hours=2))
    flash_sale_cancel(sale=first, actor=store.merchant, now=START - timedelta(hours=2))
    make_sale(store, product, skus, starts_at=START, duration=timedelta(hours=1),
              now=START - timedelta(hours=2))
    assert FlashSale.objects.count() == 3


@pytest.mark.django_db
def test_a_store_under_a_deposit_shortfall_cannot_create_one(store):
    product, skus = product_with_skus(store)
    DepositAccount.objects.create(store=store, kind="store", shortfall=Decimal("100"),
                                  required_amount=Decimal("500"), restricted_since=START)
    with pytest.raises(ApplicationError) as exc:
        make_sale(store, product, skus)
    assert exc.value.code == "store_restricted"
    assert FlashSale.objects.count() == 0
