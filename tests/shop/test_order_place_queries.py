"""Placing an order costs a fixed, small number of statements, and the hot rows (the
SKU's stock, a flash sale's units) are taken by the last write of the transaction, so
their row locks are held only until the commit."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.errors import ApplicationError
from compliance.enforcement.models import Restriction
from promotions.sweeps import start_due_flash_sales
from shop.models import ClosureApplication, DepositAccount, Order, Sku
from shop.selectors.stores import store_abilities, store_may_take_orders_now
from shop.services.orders import order_place
from tests.promotions.flash_factories import START, make_sale, product_with_skus
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db

# Before the transaction: the SKUs with product and store (and whether the store may take
# orders); the promotions' one read (running flash-sale items, running campaign prices and
# whether the buyer holds a usable coupon of the store, as one UNION ALL). In it: the
# order, its lines, its event, the stock.
READS, WRITES = 2, 4


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))]


def _writes(statements) -> list[str]:
    return [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.fixture
def store(merchant):
    return store_for(merchant)


def test_placing_an_order_takes_a_fixed_number_of_statements(buyer, store):
    sku = listed_sku(store, stock=10)
    place(buyer, sku)  # the platform settings the order path reads are cached from here
    for lines in (1, 3):
        skus = [listed_sku(store, stock=10) for _ in range(lines)]
        with CaptureQueriesContext(connection) as ctx:
            order_place(actor=buyer, address=ADDRESS,
                        items=[{"sku": s.pk, "quantity": 2} for s in skus])
        statements = _statements(ctx.captured_queries)
        # one UPDATE per SKU (in pk order), everything else once per order
        assert len(statements) == READS + WRITES - 1 + lines, statements
        assert all(Sku.objects.get(pk=s.pk).stock == 8 for s in skus)


def test_the_stock_update_is_the_last_write_of_the_transaction(buyer, store):
    sku = listed_sku(store, stock=10)
    with CaptureQueriesContext(connection) as ctx:
        place(buyer, sku, quantity=3)
    writes = _writes(_statements(ctx.captured_queries))
    assert [w.split()[0:3] for w in writes] == [
        ["INSERT", "INTO", '"shop_order"'], ["INSERT", "INTO", '"shop_orderline"'],
        ["INSERT", "INTO", '"shop_orderevent"'], ["UPDATE", '"shop_sku"', "SET"]]
    assert Sku.objects.get(pk=sku.pk).stock == 7


def test_the_flash_units_are_the_last_write_of_a_flash_order(buyer, merchant):
    store = store_for(merchant)
    product, (a,) = product_with_skus(store, prices=("100.00",), stock=50)
    make_sale(store, product, [a], flash=["59.00"], stock=5, limit=3)
    start_due_flash_sales(START)
    with CaptureQueriesContext(connection) as ctx:
        order_place(actor=buyer, address=ADDRESS, now=START + timedelta(minutes=1),
                    items=[{"sku": a.pk, "quantity": 2}])
    writes = _writes(_statements(ctx.captured_queries))
    assert writes[-1].startswith('UPDATE "promotions_flashsaleitem"'), writes
    assert not any(w.startswith('UPDATE "shop_sku"') for w in writes)


def test_a_refused_store_keeps_its_message_and_writes_nothing(buyer, store):
    sku = listed_sku(store, stock=10)
    Restriction.objects.create(store=store, kind="cart", starts_at=START - timedelta(days=1))
    assert not store_may_take_orders_now(store)
    with pytest.raises(ApplicationError) as exc:
        place(buyer, sku)
    assert exc.value.code == "store_cannot_sell"
    assert str(store_abilities(store).restricted["cart"][0]) in str(exc.value)
    assert not Order.objects.exists() and Sku.objects.get(pk=sku.pk).stock == 10


@pytest.mark.parametrize("case", [
    "open", "closed", "store_short", "promotion_short", "store_refunded",
    "promotion_refunded", "cart_restricted", "cart_restriction_over", "cart_not_yet",
    "publish_restricted", "lifted", "closing_store", "closing_promotion_only",
    "closing_without_store_account",
])
def test_the_lean_answer_is_store_abilities_may_sell(case, store):
    now = START
    if case == "closed":
        store.status = "closed"
        store.save(update_fields=["status"])
    kinds = {"store_short": ("store", {"restricted_since": now}),
             "promotion_short": ("promotion", {"restricted_since": now}),
             "store_refunded": ("store", {"closed_at": now, "restricted_since": now}),
             "promotion_refunded": ("promotion", {"closed_at": now})}
    if case in kinds:
        kind, fields = kinds[case]
        DepositAccount.objects.update_or_create(store=store, kind=kind, defaults=fields)
    closing = {"closing_store": (True, True), "closing_promotion_only": (False, True),
               "closing_without_store_account": (True, False)}
    if case in closing:
        refund_store, with_account = closing[case]
        if with_account:
            DepositAccount.objects.create(store=store, kind="store")
            DepositAccount.objects.create(store=store, kind="promotion")
        ClosureApplication.objects.create(
            store=store, refund_store_deposit=refund_store, refund_promotion_deposit=True,
            applied_by=store.merchant, notice_until=now + timedelta(days=30),
            review_by=now + timedelta(days=3))
    restrictions = {
        "cart_restricted": ("cart", "active", now - timedelta(days=1), None),
        "cart_restriction_over": ("cart", "active", now - timedelta(days=2),
                                  now - timedelta(days=1)),
        "cart_not_yet": ("cart", "active", now + timedelta(days=1), None),
        "publish_restricted": ("publish", "active", now - timedelta(days=1), None),
        "lifted": ("cart", "lifted", now - timedelta(days=1), None),
    }
    if case in restrictions:
        kind, status, starts_at, ends_at = restrictions[case]
        Restriction.objects.create(store=store, kind=kind, status=status,
                                   starts_at=starts_at, ends_at=ends_at)
    assert store_may_take_orders_now(store, now=now) == store_abilities(store, now=now).may_sell


def test_the_create_answer_is_the_order_as_read_back(buyer_api, store):
    sku = listed_sku(store, price="59.00", stock=10)
    res = buyer_api.post("/api/buyer/orders/", {
        "items": [{"sku": sku.pk, "quantity": 2}], "address": ADDRESS, "note": "请尽快",
        "invoice_title": "某某公司", "invoice_tax_number": "91350100M000100Y43",
    }, format="json")
    assert res.status_code == 201, res.json()
    again = buyer_api.get(f"/api/buyer/orders/{res.json()['number']}/")
    assert res.json() == again.json()
