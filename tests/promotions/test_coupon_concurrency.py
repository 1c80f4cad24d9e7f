"""Many buyers at once on PostgreSQL: a coupon is never claimed more than its quantity nor
more than the limit per buyer; a claim is used by one order only; a cancelled order gives
it back once."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest

from promotions.models import Coupon, CouponBuyerCount, CouponClaim
from promotions.services.coupons import coupon_change_quantity, coupon_claim
from shop.models import Order
from shop.services.orders import order_cancel, order_place
from shop.sweeps import cancel_unpaid_orders
from tests.concurrency import postgres_only, run_threads
from tests.promotions.coupon_factories import make_coupon
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    place,
    store_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_sixty_threads_claim_exactly_the_quantity_within_the_per_buyer_limit(
        make_user, merchant):
    coupon = make_coupon(store_for(merchant), quantity=25, per_buyer_limit=2)
    buyers = [make_user(f"claimer{i}", "buyer") for i in range(20)]

    def claim(i):
        # Three threads per buyer: one of them is always over the limit.
        return coupon_claim(coupon=coupon, actor=buyers[i % 20]).buyer_id

    claimed, errors = run_threads(60, claim)
    assert len(claimed) == 25 and len(errors) == 35
    assert set(errors) <= {"sold_out", "limit_reached"}
    assert Coupon.objects.get(pk=coupon.pk).claimed == 25
    assert CouponClaim.objects.filter(coupon=coupon).count() == 25
    per_buyer = Counter(CouponClaim.objects.values_list("buyer_id", flat=True))
    assert max(per_buyer.values()) <= 2
    counts = dict(CouponBuyerCount.objects.values_list("buyer_id", "claimed"))
    assert {b: n for b, n in counts.items() if n} == dict(per_buyer)


def test_quantity_cut_racing_claims_never_leaves_more_claimed_than_quantity(
        make_user, merchant):
    coupon = make_coupon(store_for(merchant), quantity=40, per_buyer_limit=1)
    buyers = [make_user(f"racer{i}", "buyer") for i in range(50)]

    def act(i):
        if i == 0:
            return coupon_change_quantity(coupon=coupon, quantity=10, actor=merchant).quantity
        return coupon_claim(coupon=coupon, actor=buyers[i]).pk

    run_threads(50, act)
    final = Coupon.objects.get(pk=coupon.pk)
    assert final.claimed <= final.quantity
    assert CouponClaim.objects.filter(coupon=coupon).count() == final.claimed


def test_two_orders_racing_for_one_claim_only_one_wins(buyer, merchant):
    store = store_for(merchant)
    sku = listed_sku(store, price="80.00", stock=100)
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)

    def order(i):
        return order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}],
                           address=ADDRESS, options={"coupon": claim.pk}).pk

    placed, errors = run_threads(8, order)
    assert len(placed) == 1 and errors == ["coupon_used"] * 7
    assert Order.objects.count() == 1
    assert Order.objects.get().discount_amount == Decimal("5.00")
    claim.refresh_from_db()
    assert claim.status == "used" and claim.order_id == placed[0]
    assert sku.__class__.objects.get(pk=sku.pk).stock == 99  # the losers rolled back


def test_cancel_and_timeout_at_once_give_the_coupon_back_once(buyer, merchant):
    store = store_for(merchant)
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)
    order = place(buyer, listed_sku(store, price="80.00"))
    later = order.pay_by + timedelta(minutes=1)

    def race(i):
        if i % 2:
            return cancel_unpaid_orders(later)
        return order_cancel(order=order, actor=buyer, now=later).pk

    run_threads(6, race)
    claim.refresh_from_db()
    assert claim.status == "unused" and claim.order_id is None
    assert claim.events.filter(from_status="used", to_status="unused").count() == 1
