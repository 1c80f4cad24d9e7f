"""The order path's extension points (shop.order_extensions): what promotions may do to an
order — price a line, hold its stock, discount the order — and get back exactly once."""

from datetime import timedelta
from decimal import Decimal

import pytest

from common.errors import ApplicationError
from shop import order_extensions
from shop.models import Order, OrderLine, Sku
from shop.rules.orders import allocate_discount
from shop.services.orders import order_cancel, order_close, order_place
from shop.sweeps import cancel_unpaid_orders
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    store_for,
)

D = Decimal


@pytest.mark.parametrize(("discount", "amounts", "shares"), [
    ("0", ["10.00"], ["0"]),
    ("5.00", ["10.00"], ["5.00"]),
    ("10.00", ["30.00", "10.00"], ["7.50", "2.50"]),
    ("10.00", ["33.33", "33.33", "33.34"], ["3.33", "3.33", "3.34"]),
    ("0.01", ["1.00", "1.00"], ["0.01", "0"]),
    ("0.03", ["0.01", "0.01", "5.00"], ["0", "0", "0.03"]),
    ("100.00", ["30.00", "20.00"], ["30.00", "20.00"]),  # never more than the lines
])
def test_the_discount_is_spread_over_the_lines_in_cents_and_adds_up(discount, amounts, shares):
    result = allocate_discount(D(discount), [D(a) for a in amounts])
    assert result == [D(s) for s in shares]
    assert sum(result) == min(D(discount), sum(D(a) for a in amounts))
    assert all(share <= D(amount) for share, amount in zip(result, amounts, strict=True))


class Recorder:
    """A promotion that halves the price of the lines it holds, gives 3.00 off the order,
    and counts what it takes and gives back."""

    def __init__(self, *, hold_sku_ids=(), refuse=False, fail_reserve=False):
        self.hold = set(hold_sku_ids)
        self.refuse = refuse
        self.fail_reserve = fail_reserve
        self.reserved = []
        self.released = []

    def price(self, draft):
        if self.refuse:
            raise ApplicationError("refused by the promotion", code="promo_refused")
        for line in draft.lines:
            if line.sku.pk in self.hold:
                line.unit_price = line.unit_price / 2
                line.stock_held_by = "recorder"
                line.data = {"sale": 7}
        draft.discount = D("3.00")
        draft.data = {"promo": draft.options.get("promo")}

    def reserve(self, draft, order):
        if self.fail_reserve:
            raise ApplicationError("sold out", code="promo_sold_out")
        self.reserved.append((order.pk, [line.line.pk for line in draft.lines]))

    def release(self, order_ids, now):
        self.released.extend(order_ids)


@pytest.fixture
def recorder_factory():
    made = []

    def make(**kw):
        extension = Recorder(**kw)
        order_extensions.register(extension)
        made.append(extension)
        return extension

    yield make
    for extension in made:
        order_extensions.unregister(extension)


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.mark.django_db
def test_a_promotion_prices_lines_holds_their_stock_and_discounts_the_order(
        recorder_factory, store, buyer):
    held = listed_sku(store, price="40.00", stock=0)  # its units are the promotion's
    plain = listed_sku(store, price="20.00", stock=5)
    promo = recorder_factory(hold_sku_ids=[held.pk])
    order = order_place(actor=buyer, address=ADDRESS, options={"promo": 12},
                        items=[{"sku": held.pk, "quantity": 2}, {"sku": plain.pk, "quantity": 1}])
    lines = {line.sku_id: line for line in order.lines.all()}
    assert lines[held.pk].unit_price == D("20.00") and lines[held.pk].amount == D("40.00")
    assert lines[held.pk].stock_held_by == "recorder" and lines[held.pk].promotion == {"sale": 7}
    assert lines[plain.pk].stock_held_by == ""
    assert order.goods_amount == D("60.00") and order.discount_amount == D("3.00")
    assert order.total_amount == D("57.00") and order.promotion == {"promo": 12}
    assert lines[held.pk].discount_amount + lines[plain.pk].discount_amount == D("3.00")
    assert Sku.objects.get(pk=held.pk).stock == 0  # not taken from the SKU
    assert Sku.objects.get(pk=plain.pk).stock == 4
    assert promo.reserved == [(order.pk, [lines[held.pk].pk, lines[plain.pk].pk])]

    paid = pay(order)
    assert paid.status == Order.Status.PAID
    for line in OrderLine.objects.filter(order=order):
        assert line.paid_amount == line.amount - line.discount_amount


@pytest.mark.django_db
def test_a_refusal_or_a_failed_reservation_writes_nothing(recorder_factory, store, buyer):
    sku = listed_sku(store, price="20.00", stock=5)
    refusing = recorder_factory(refuse=True)
    with pytest.raises(ApplicationError):
        place(buyer, sku)
    order_extensions.unregister(refusing)
    recorder_factory(fail_reserve=True)
    with pytest.raises(ApplicationError):
        place(buyer, sku)
    assert Order.objects.count() == 0 and OrderLine.objects.count() == 0
    assert Sku.objects.get(pk=sku.pk).stock == 5


@pytest.mark.django_db
def test_what_was_taken_is_given_back_once_on_cancel_timeout_and_unshipped_close(
        recorder_factory, store, buyer):
    held = listed_sku(store, price="40.00", stock=0)
    promo = recorder_factory(hold_sku_ids=[held.pk])
    cancelled = place(buyer, held)
    order_cancel(order=cancelled, actor=buyer)
    with pytest.raises(ApplicationError):
        order_cancel(order=cancelled, actor=buyer)
    assert promo.released == [cancelled.pk]
    assert Sku.objects.get(pk=held.pk).stock == 0  # the promotion gives its units back

    late = place(buyer, held)
    cancel_unpaid_orders(late.pay_by + timedelta(seconds=1))
    cancel_unpaid_orders(late.pay_by + timedelta(seconds=2))
    assert promo.released == [cancelled.pk, late.pk]

    closed = pay(place(buyer, held))
    order_close(order=closed, actor=None, reason="refunded in full")
    assert promo.released == [cancelled.pk, late.pk, closed.pk]
