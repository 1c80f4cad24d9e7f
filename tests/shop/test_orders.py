"""Placing, cancelling, confirming and closing orders through the services."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from common.errors import ApplicationError
from shop.models import Order, OrderEvent, OrderLine, Product, Sku, Store
from shop.services.orders import order_cancel, order_close, order_confirm_receipt, order_place
from tests.factories import ProductFactory, SkuFactory
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    ship,
    sign,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def sku(store):
    return listed_sku(store, price="59.00", stock=10)


def nothing_written(*skus_and_stock):
    assert Order.objects.count() == 0
    assert OrderLine.objects.count() == 0
    assert OrderEvent.objects.count() == 0
    for sku, stock in skus_and_stock:
        sku.refresh_from_db()
        assert sku.stock == stock


def test_place_order_reserves_stock_and_writes_the_first_event(buyer, store, sku):
    socks = listed_sku(store, price="19.90", stock=5, free_shipping=False, shipping_fee="6.00")
    order = order_place(
        actor=buyer, items=[{"sku": sku.pk, "quantity": 2}, {"sku": socks.pk, "quantity": 1}],
        address=ADDRESS, invoice_title="某某公司", invoice_tax_number="91350100m000100y43",
    )
    assert order.status == Order.Status.PENDING_PAYMENT
    assert order.goods_amount == Decimal("137.90")
    assert order.shipping_fee == Decimal("6.00")
    assert order.total_amount == Decimal("143.90")
    assert order.invoice_tax_number == "91350100M000100Y43"
    assert order.pay_by == order.created_at + timedelta(minutes=30)
    assert [(line.quantity, line.amount) for line in order.lines.order_by("sku_id")] == [
        (2, Decimal("118.00")), (1, Decimal("19.90"))]
    sku.refresh_from_db()
    socks.refresh_from_db()
    assert (sku.stock, socks.stock) == (8, 4)
    event = order.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("", "pending_payment", buyer)


def test_same_sku_twice_is_one_line(buyer, sku):
    order = order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 2},
                                            {"sku": sku.pk, "quantity": 3}], address=ADDRESS)
    assert order.lines.get().quantity == 5


@pytest.mark.parametrize("quantity,code", [(0, "invalid_quantity"), (-1, "invalid_quantity"),
                                           (1.5, "invalid_item"), ("x", "invalid_item")])
def test_bad_quantity_is_refused(buyer, sku, quantity, code):
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": quantity}], address=ADDRESS)
    assert exc.value.code == code
    nothing_written((sku, 10))


def test_more_than_stock_is_refused_and_nothing_is_taken(buyer, store, sku):
    other = listed_sku(store, stock=3)
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1},
                                        {"sku": other.pk, "quantity": 4}], address=ADDRESS)
    assert exc.value.code == "out_of_stock"
    nothing_written((sku, 10), (other, 3))


def test_conditional_update_failure_rolls_back_earlier_reservations(
    buyer, store, sku, monkeypatch
):
    """Stock vanishes between the check and the reservation: the conditional UPDATE of the
    second SKU takes nothing and the whole order, first SKU included, rolls back."""
    later = listed_sku(store, stock=3)
    assert later.pk > sku.pk

    def someone_buys_the_rest(store):
        Sku.objects.filter(pk=later.pk).update(stock=0)
        return True

    monkeypatch.setattr("shop.services.orders.store_may_take_orders", someone_buys_the_rest)
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 2},
                                        {"sku": later.pk, "quantity": 3}], address=ADDRESS)
    assert exc.value.code == "out_of_stock"
    nothing_written((sku, 10), (later, 0))


def test_two_stores_in_one_order_are_refused(buyer, sku, other_merchant):
    other = listed_sku(store_for(other_merchant))
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1},
                                        {"sku": other.pk, "quantity": 1}], address=ADDRESS)
    assert exc.value.code == "several_stores"
    nothing_written((sku, 10), (other, 10))


@pytest.mark.parametrize("status", [Product.Status.DRAFT, Product.Status.IN_REVIEW,
                                    Product.Status.REJECTED, Product.Status.DELISTED])
def test_unlisted_product_cannot_be_ordered(buyer, store, status):
    sku = SkuFactory(product=ProductFactory(store=store, status=status))
    with pytest.raises(ApplicationError) as exc:
        place(buyer, sku)
    assert exc.value.code == "not_listed"
    nothing_written((sku, 10))


def test_inactive_sku_cannot_be_ordered(buyer, sku):
    Sku.objects.filter(pk=sku.pk).update(is_active=False)
    with pytest.raises(ApplicationError) as exc:
        place(buyer, sku)
    assert exc.value.code == "not_listed"


def test_other_platform_product_cannot_be_ordered(buyer, store):
    product = ProductFactory(store=store, kind=Product.Kind.OTHER_PLATFORM, platform="tmall",
                             external_url="https://detail.tmall.com/item.htm?id=1")
    sku = SkuFactory(product=product)
    with pytest.raises(ApplicationError) as exc:
        place(buyer, sku)
    assert exc.value.code == "other_platform_product"
    nothing_written((sku, 10))


def test_unknown_sku_and_empty_order(buyer):
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": 999999, "quantity": 1}], address=ADDRESS)
    assert exc.value.code == "unknown_sku"
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[], address=ADDRESS)
    assert exc.value.code == "no_items"


def test_closed_store_cannot_take_orders(buyer, store, sku):
    Store.objects.filter(pk=store.pk).update(status=Store.Status.CLOSED)
    with pytest.raises(ApplicationError) as exc:
        place(buyer, sku)
    assert exc.value.code == "store_cannot_sell"
    nothing_written((sku, 10))


def test_merchant_cannot_order_from_own_store(merchant, sku):
    with pytest.raises(ApplicationError) as exc:
        place(merchant, sku)
    assert exc.value.code == "own_store"


def test_incomplete_address_and_bad_invoice(buyer, sku):
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}],
                    address={**ADDRESS, "detail": ""})
    assert exc.value.code == "invalid_address" and "detail" in str(exc.value)
    with pytest.raises(ApplicationError) as exc:
        place(buyer, sku, invoice_title="", invoice_tax_number="91350100M000100Y43")
    assert exc.value.field == "invoice_title"
    with pytest.raises(ApplicationError) as exc:
        place(buyer, sku, invoice_title="某公司", invoice_tax_number="123")
    assert exc.value.field == "invoice_tax_number"
    nothing_written((sku, 10))


def test_error_message_names_the_product(buyer, sku):
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        place(buyer, sku, quantity=11)
    assert str(exc.value) == f"Not enough stock left for “{sku.product.title}”."


def test_cancel_releases_stock_exactly_once(buyer, sku):
    order = place(buyer, sku, quantity=4)
    sku.refresh_from_db()
    assert sku.stock == 6
    order_cancel(order=order, actor=buyer, reason="拍错了")
    sku.refresh_from_db()
    assert sku.stock == 10
    with pytest.raises(ApplicationError) as exc:
        order_cancel(order=order, actor=buyer)
    assert exc.value.code == "bad_state"
    sku.refresh_from_db()
    assert sku.stock == 10
    order.refresh_from_db()
    assert order.status == "cancelled" and order.cancelled_at and order.pay_by is None
    assert list(order.events.values_list("to_status", "reason"))[-1] == ("cancelled", "拍错了")


def test_paid_order_cannot_be_cancelled_and_others_cannot_cancel(buyer, other_buyer, sku):
    order = place(buyer, sku)
    with pytest.raises(ApplicationError) as exc:
        order_cancel(order=order, actor=other_buyer)
    assert exc.value.code == "not_yours"
    order = pay(order)
    with pytest.raises(ApplicationError):
        order_cancel(order=order, actor=buyer)


def test_confirm_receipt_from_shipped_starts_after_sale_and_completes(buyer, sku):
    order = ship(pay(place(buyer, sku)))
    with pytest.raises(ApplicationError):
        order_confirm_receipt(order=order, actor=buyer.__class__.objects.create(username="x"))
    order = order_confirm_receipt(order=order, actor=buyer)
    assert order.status == "completed" and order.signed_at and order.completed_at


def test_confirm_receipt_needs_shipping(buyer, sku):
    order = pay(place(buyer, sku))
    with pytest.raises(ApplicationError) as exc:
        order_confirm_receipt(order=order, actor=buyer)
    assert exc.value.code == "bad_state"


def test_confirm_after_signing_keeps_the_courier_time(buyer, sku):
    order = sign(ship(pay(place(buyer, sku))))
    signed_at = order.signed_at
    order = order_confirm_receipt(order=order, actor=buyer)
    assert order.signed_at == signed_at and order.complete_by is None


def test_close_unshipped_paid_order_returns_stock(buyer, merchant, sku):
    order = pay(place(buyer, sku, quantity=2))
    order_close(order=order, actor=merchant, reason="refunded before shipping")
    sku.refresh_from_db()
    assert sku.stock == 10
    shipped = ship(pay(place(buyer, sku, quantity=2)))
    order_close(order=shipped, actor=merchant, reason="refund after return")
    sku.refresh_from_db()
    assert sku.stock == 8


def test_bad_move_is_refused_with_a_clear_message(buyer, sku):
    order = place(buyer, sku)
    with translation.override("en"), pytest.raises(ApplicationError) as exc:
        order_close(order=order, actor=None, reason="x")
    assert exc.value.code == "bad_state"
    assert str(exc.value) == "An order cannot go from “Awaiting payment” to “Closed (refunded)”."
    order.refresh_from_db()
    assert order.status == "pending_payment"
