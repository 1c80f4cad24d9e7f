"""What the order path lets the apps above it (promotions) do to an order.

Shop may not import those apps (imports only go down), so an app registers an extension in
its AppConfig.ready(); the order path calls every extension in the order they registered.
An extension is an object with any of these methods (a missing one is skipped):

``price(draft)``
    Before the order's transaction. May change a line's `unit_price` (a flash price), say
    it holds the line's stock itself (``line.stock_held_by = "<name>"``: the SKU's stock is
    then neither taken nor given back by shop), record what it applied in ``line.data`` /
    ``draft.data``, and give the order a discount (``draft.discount``), shared by the
    lines left ``discountable`` (a coupon for some products clears it on the others). Raises
    `ApplicationError` to refuse the order with a message.
``reserve(draft, order)``
    Inside the order's transaction, once the order and its lines exist (``line.line`` is
    the OrderLine row). Takes what is limited — flash units, a buyer's count, a coupon —
    with conditional updates; an `ApplicationError` rolls the whole order back.
``release(order_ids, now)``
    Inside the transaction that moves unpaid orders out (cancelled by the buyer, not paid in
    time) or closes a paid order that never shipped: gives back what `reserve` took, once
    (these orders leave the state that held it in the same transaction).
``paid(order, now)``
    Inside the transaction that marks an order paid (the order row locked).
``settle_parties(order)``
    Before a completed order's settlement locks the store account: the ids of the other
    stores whose accounts the settlement also moves (a promoter's). Shop locks every
    account in pk order, so two settlements never wait on each other crosswise.
``settle(order, store_account, now)``
    Inside the settlement, after the seller's settlement entry (the seller's account and
    those of `settle_parties` locked): may append further entries (a commission).
``refunded(order, payment, now)``
    Inside a refund's transaction (the order locked, its refunded amounts already counted),
    before the store account's debit after settlement.
``refund_failed(order_id, payment, now)``
    A pending refund failed at the provider (what it reserved is already given back, in
    the callback's transaction): undo what `refunded` did for it.

The discount is spread over the lines by `shop.rules.orders.allocate_discount`, so a
partial refund returns what the buyer paid for that line."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

_EXTENSIONS: list = []


@dataclass
class DraftLine:
    sku: object
    product: object
    quantity: int
    unit_price: Decimal
    stock_held_by: str = ""
    data: dict = field(default_factory=dict)
    discountable: bool = True  # whether the order's discount is shared by this line
    discount: Decimal = Decimal("0")
    line: object = None  # the OrderLine, once written

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass
class DraftOrder:
    buyer: object
    store: object
    lines: list[DraftLine]
    now: datetime
    options: dict = field(default_factory=dict)  # what the buyer chose (e.g. a coupon)
    discount: Decimal = Decimal("0")
    data: dict = field(default_factory=dict)
    # what an extension read before the transaction, for the others to reuse (so that the
    # apps above shop can answer several extensions with one statement); not stored
    reads: dict = field(default_factory=dict)


def register(extension) -> None:
    if extension not in _EXTENSIONS:
        _EXTENSIONS.append(extension)


def unregister(extension) -> None:
    if extension in _EXTENSIONS:
        _EXTENSIONS.remove(extension)


def extensions() -> list:
    return list(_EXTENSIONS)


def _each(method: str):
    for extension in list(_EXTENSIONS):
        handler = getattr(extension, method, None)
        if handler is not None:
            yield handler


def price(draft: DraftOrder) -> None:
    for handler in _each("price"):
        handler(draft)


def reserve(draft: DraftOrder, order) -> None:
    for handler in _each("reserve"):
        handler(draft, order)


def paid(order, now: datetime) -> None:
    for handler in _each("paid"):
        handler(order, now)


def settle_parties(order) -> list[int]:
    ids: list[int] = []
    for handler in _each("settle_parties"):
        ids.extend(handler(order))
    return ids


def settle(order, store_account, now: datetime) -> None:
    for handler in _each("settle"):
        handler(order, store_account, now)


def refunded(order, payment, now: datetime) -> None:
    for handler in _each("refunded"):
        handler(order, payment, now)


def refund_failed(order_id, payment, now: datetime) -> None:
    for handler in _each("refund_failed"):
        handler(order_id, payment, now)


def release(order_ids: list[int], now: datetime) -> None:
    if not order_ids:
        return
    for handler in _each("release"):
        handler(list(order_ids), now)
