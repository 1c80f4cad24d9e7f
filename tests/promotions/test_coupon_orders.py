"""Coupons at checkout (the order extension): the best fitting coupon by default or the
one chosen, refused with a reason when it does not fit or is not the buyer's; used once;
given back once when the unpaid order is cancelled or times out."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import ApplicationError
from promotions.models import CouponClaim
from promotions.services.coupons import coupon_claim, coupon_order_extension
from shop import order_extensions
from shop.models import Order, OrderLine
from shop.services.orders import order_cancel, order_close, order_place
from shop.sweeps import cancel_unpaid_orders
from tests.promotions.coupon_factories import make_coupon
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def store(merchant):
    return store_for(merchant)


def buy(buyer, *skus, quantity=1, **kw):
    return order_place(actor=buyer, address=ADDRESS,
                       items=[{"sku": sku.pk, "quantity": quantity} for sku in skus], **kw)


def refused(code, *args, **kw):
    with pytest.raises(ApplicationError) as info:
        buy(*args, **kw)
    assert info.value.code == code, info.value.message
    assert info.value.field == "coupon"
    return info.value


def test_the_extension_is_registered_with_the_order_path():
    assert coupon_order_extension in order_extensions.extensions()


@pytest.mark.parametrize(("price", "discount"), [("49.99", "0"), ("50.00", "5.00")])
def test_the_threshold_boundary_at_checkout(store, buyer, price, discount):
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)
    order = buy(buyer, listed_sku(store, price=price))
    assert order.discount_amount == D(discount)
    assert order.total_amount == D(price) - D(discount)
    claim.refresh_from_db()
    if discount == "0":
        assert claim.status == "unused" and order.promotion == {}
    else:
        assert claim.status == "used" and claim.order == order
        assert order.promotion == {"coupon_claim": claim.pk, "coupon": claim.coupon_id,
                                   "coupon_discount": "5.00"}


def test_a_chosen_coupon_below_its_threshold_is_refused(store, buyer):
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)
    error = refused("coupon_does_not_fit", buyer, listed_sku(store, price="49.99"),
                    options={"coupon": claim.pk})
    assert "50.00" in str(error.message)
    assert not Order.objects.exists()


def test_the_best_coupon_is_applied_by_default_and_one_only(store, buyer):
    small = coupon_claim(coupon=make_coupon(store, kind="no_threshold", amount="3.00",
                                            threshold=None), actor=buyer)
    big = coupon_claim(coupon=make_coupon(store, amount="20.00", threshold="100.00"),
                       actor=buyer)
    out_of_reach = coupon_claim(coupon=make_coupon(store, amount="50.00",
                                                   threshold="300.00"), actor=buyer)
    a, b = listed_sku(store, price="60.00"), listed_sku(store, price="45.00")
    order = buy(buyer, a, b)
    assert order.discount_amount == D("20.00") and order.total_amount == D("85.00")
    lines = list(order.lines.order_by("pk"))
    assert sum(line.discount_amount for line in lines) == D("20.00")
    statuses = dict(CouponClaim.objects.values_list("pk", "status"))
    assert statuses == {small.pk: "unused", big.pk: "used", out_of_reach.pk: "unused"}
    paid = pay(order)
    assert all(line.paid_amount == line.amount - line.discount_amount
               for line in OrderLine.objects.filter(order=paid))
    # The next order gets the next best one.
    assert buy(buyer, b).discount_amount == D("3.00")


def test_the_chosen_coupon_wins_over_the_best(store, buyer):
    small = coupon_claim(coupon=make_coupon(store, kind="no_threshold", amount="3.00",
                                            threshold=None), actor=buyer)
    coupon_claim(coupon=make_coupon(store, amount="20.00", threshold="100.00"), actor=buyer)
    order = buy(buyer, listed_sku(store, price="150.00"), options={"coupon": small.pk})
    assert order.discount_amount == D("3.00")
    assert buy(buyer, listed_sku(store, price="150.00"),
               options={"coupon": 0}).discount_amount == 0


def test_a_product_coupon_counts_only_its_products(store, buyer):
    a, b = listed_sku(store, price="40.00"), listed_sku(store, price="40.00")
    claim = coupon_claim(coupon=make_coupon(store, scope="products",
                                            product_ids=[a.product_id]), actor=buyer)
    refused("coupon_does_not_fit", buyer, a, b, options={"coupon": claim.pk})
    assert buy(buyer, a, b).discount_amount == 0
    order = buy(buyer, a, b, quantity=2)
    assert order.discount_amount == D("5.00")
    # the discount is shared by the coupon's products only: b's line is paid in full
    shares = {line.sku_id: line.discount_amount for line in order.lines.all()}
    assert shares == {a.pk: D("5.00"), b.pk: D("0")}


def test_someone_elses_used_expired_or_other_store_coupons_are_refused(
        store, buyer, other_buyer, other_merchant):
    now = timezone.now()
    sku = listed_sku(store, price="80.00")
    theirs = coupon_claim(coupon=make_coupon(store), actor=other_buyer)
    refused("coupon_not_found", buyer, sku, options={"coupon": theirs.pk})
    refused("coupon_not_found", buyer, sku, options={"coupon": "abc"})
    elsewhere = coupon_claim(coupon=make_coupon(store_for(other_merchant)), actor=buyer)
    refused("coupon_other_store", buyer, sku, options={"coupon": elsewhere.pk})
    mine = coupon_claim(coupon=make_coupon(store, valid_days=1), actor=buyer, now=now)
    buy(buyer, sku, options={"coupon": mine.pk}, now=now)
    refused("coupon_used", buyer, sku, options={"coupon": mine.pk}, now=now)
    later = coupon_claim(coupon=make_coupon(store, valid_days=1), actor=buyer, now=now)
    refused("coupon_expired", buyer, sku, options={"coupon": later.pk},
            now=later.valid_until)
    # By default an expired coupon is simply not applied.
    assert buy(buyer, sku, now=later.valid_until).discount_amount == 0


def test_the_threshold_counts_the_flash_priced_goods(store, buyer):
    class HalfPrice:
        def price(self, draft):
            for line in draft.lines:
                line.unit_price = line.unit_price / 2

    half = HalfPrice()
    order_extensions.unregister(coupon_order_extension)
    order_extensions.register(half)
    order_extensions.register(coupon_order_extension)
    try:
        coupon_claim(coupon=make_coupon(store), actor=buyer)
        assert buy(buyer, listed_sku(store, price="99.98")).discount_amount == 0
        order = buy(buyer, listed_sku(store, price="100.00"))
        assert order.goods_amount == D("50.00") and order.discount_amount == D("5.00")
    finally:
        order_extensions.unregister(half)


def test_cancelling_the_unpaid_order_gives_the_coupon_back_once(store, buyer):
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)
    sku = listed_sku(store, price="80.00")
    order = buy(buyer, sku)
    order_cancel(order=order, actor=buyer)
    with pytest.raises(ApplicationError):
        order_cancel(order=order, actor=buyer)
    claim.refresh_from_db()
    assert claim.status == "unused" and claim.order is None and claim.used_at is None
    moves = [(e.from_status, e.to_status, e.data) for e in claim.events.order_by("pk")]
    assert moves == [("", "unused", {}), ("unused", "used", {}),
                     ("used", "unused", {"order": order.pk})]
    # Used again, then the order times out: back once more.
    again = buy(buyer, sku)
    assert again.discount_amount == D("5.00")
    cancel_unpaid_orders(again.pay_by + timedelta(seconds=1))
    cancel_unpaid_orders(again.pay_by + timedelta(seconds=2))
    claim.refresh_from_db()
    assert claim.status == "unused"
    assert claim.events.filter(to_status="unused", from_status="used").count() == 2


def test_a_paid_order_keeps_its_coupon(store, buyer):
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)
    order = pay(buy(buyer, listed_sku(store, price="80.00")))
    assert order.status == "paid"
    claim.refresh_from_db()
    assert claim.status == "used" and claim.order_id == order.pk


def test_a_paid_order_closed_before_shipping_gives_its_coupon_back_once(store, buyer):
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)
    order = pay(buy(buyer, listed_sku(store, price="80.00")))
    order_close(order=order, actor=None, reason="refunded in full")
    claim.refresh_from_db()
    assert claim.status == "unused" and claim.order_id is None
    assert claim.events.filter(from_status="used", to_status="unused").count() == 1
