"""On PostgreSQL: one active offer per product however many requests arrive; two stores
promoting each other's products settle at the same moment without waiting crosswise on
each other's store accounts, and the ledgers stay balanced."""

from decimal import Decimal

import pytest

from promotions.models import Commission, ProductOffer
from promotions.services.selection import offer_create
from shop.models import Order
from shop.services.accounts import store_account_get
from shop.services.orders import order_confirm_receipt
from tests.concurrency import postgres_only, run_threads
from tests.promotions.selection_factories import (
    assert_ledgers_balanced,
    balance,
    offer,
    promoter_session,
)
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    ship,
    sign,
    store_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_many_requests_offer_a_product_once(merchant):
    store = store_for(merchant)
    product = listed_sku(store).product

    def act(i):
        return offer_create(store=store, product_id=product.pk, rate=Decimal("0.10"),
                            actor=merchant).pk

    created, errors = run_threads(12, act)
    assert len(created) == 1 and errors == ["already_offered"] * 11
    assert ProductOffer.objects.filter(product=product, status="active").count() == 1


def test_cross_promoting_stores_settle_at_once(merchant, other_merchant, buyer):
    a, b = store_for(merchant), store_for(other_merchant)
    store_account_get(a), store_account_get(b)
    sku_a = listed_sku(a, price="100.00", stock=50)
    sku_b = listed_sku(b, price="50.00", stock=50)
    offer(sku_a.product, "0.10")
    offer(sku_b.product, "0.20")
    session_b = promoter_session(b, sku_a.product)  # b promotes a's product
    session_a = promoter_session(a, sku_b.product)  # a promotes b's product
    orders = []
    for _ in range(6):
        orders.append(sign(ship(pay(place(buyer, sku_a, options={"source": f"live:{session_b.pk}"})))))
        orders.append(sign(ship(pay(place(buyer, sku_b, options={"source": f"live:{session_a.pk}"})))))

    def act(i):
        return order_confirm_receipt(order=orders[i], actor=buyer).status

    done, errors = run_threads(len(orders), act)
    assert errors == [] and set(done) == {Order.Status.COMPLETED}
    assert Commission.objects.filter(status="settled").count() == 12
    assert_ledgers_balanced(a, b)
    # a earned 6 × 10.00 on b's product and paid 6 × 10.00 to b, and the other way round
    earned_a = sum(c.amount for c in Commission.objects.filter(promoter=a))
    earned_b = sum(c.amount for c in Commission.objects.filter(promoter=b))
    assert earned_a == Decimal("60.00") and earned_b == Decimal("60.00")
    assert balance(a) > 0 and balance(b) > 0
