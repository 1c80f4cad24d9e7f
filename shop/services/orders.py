"""Orders: placing (with the atomic stock reservation), the one status-transition service,
cancelling, payment confirmation, receipt confirmation and closing.

Every status change goes through `order_transition`, which checks the rules table, sets
the clocks of the new state, saves with update_fields and appends an OrderEvent. The
deadline sweeps (shop.sweeps) move due orders in batches through
`orders_transition_batch`, which applies the same table and clock rules."""

import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config, prepared
from common.bulk import insert_per_id
from common.errors import ApplicationError
from common.gates import KeyedGate
from common.money import ZERO, to_money
from common.prepared import prepared_query
from common.reasons import reason_fields
from shop import order_extensions
from shop.models import Order, OrderEvent, OrderLine, Product, Sku, Store
from shop.order_extensions import DraftLine, DraftOrder
from shop.reasons import R
from shop.rules.orders import (
    TAX_NUMBER_RE,
    address_missing_fields,
    allocate_discount,
    clock_fields_on_enter,
    order_can_move,
    order_shipping_fee,
    order_totals,
)
from shop.selectors.stores import store_orders_blocked, store_restriction_messages
from shop.services.invoices import invoice_request

MAX_LINES_PER_ORDER = 50
MAX_QUANTITY_PER_LINE = 9999
ORDER_NUMBER_DRAWS = 5
SHANGHAI = ZoneInfo(settings.PLATFORM_TIME_ZONE)


_CLOCK_SETTINGS = ("pay_within_minutes", "ship_within_hours", "pickup_within_hours",
                   "complete_after_signing_days")


def order_clock_settings() -> dict:
    values = config.get_many(*(f"order.{name}" for name in _CLOCK_SETTINGS))
    return {name: values[f"order.{name}"] for name in _CLOCK_SETTINGS}


def store_may_take_orders(store: Store) -> bool:
    """Hook: may this store sell right now (open, deposit paid, not restricted)? The store
    module owns the answer (read with the order's SKUs, see order_place)."""
    from shop.selectors.stores import store_may_take_orders_now

    return store_may_take_orders_now(store)


# --- the transition service -------------------------------------------------------------
def _event(order, old, new, actor, reason, now, **data) -> OrderEvent:
    event = OrderEvent(order=order, from_status=old, to_status=new, actor=actor, at=now,
                       **reason_fields(reason), data=data)
    prepared.insert([event])
    return event


def _bad_move(old: str, new: str) -> ApplicationError:
    return ApplicationError(
        _("An order cannot go from “%(old)s” to “%(new)s”.")
        % {"old": Order.Status(old).label, "new": Order.Status(new).label},
        code="bad_state",
    )


def order_lock(order: Order) -> Order:
    """The order row, locked for the rest of the transaction (fresh from the database)."""
    return Order.objects.select_for_update().get(pk=order.pk)


def order_transition(
    *, order: Order, to: str, actor, reason: str = "", now: datetime | None = None,
    extra: dict | None = None, data: dict | None = None,
) -> Order:
    """Move a locked order (see order_lock) to `to`. Runs inside the caller's transaction."""
    assert connection.in_atomic_block, "order_transition must run inside transaction.atomic"
    now = now or timezone.now()
    old = order.status
    if not order_can_move(old, to):
        raise _bad_move(old, to)
    fields = clock_fields_on_enter(to, now, order_clock_settings())
    fields.update(extra or {})
    for name, value in fields.items():
        setattr(order, name, value)
    order.status = to
    order.save(update_fields=["status", "updated_at", *fields])
    _event(order, old, to, actor, reason, now, **(data or {}))
    if to == Order.Status.COMPLETED:
        _settle([order.pk], now)
    return order


def _settle(order_ids: list[int], now: datetime) -> None:
    """A completed order's money becomes the store's available balance (货款), in the
    same transaction as the completion."""
    from shop.services.accounts import store_account_settle_orders

    store_account_settle_orders(order_ids=order_ids, now=now)


def orders_transition_batch(
    *, order_ids: list[int], from_status: str, to: str, reason: str, now: datetime,
    extra: dict | None = None,
) -> list[int]:
    """The system's transition for a batch of locked orders, all in `from_status`: one
    UPDATE and one bulk insert of events. Returns the ids actually moved."""
    assert connection.in_atomic_block, "orders_transition_batch must run inside an atomic block"
    if not order_ids:
        return []
    if not order_can_move(from_status, to):
        raise _bad_move(from_status, to)
    fields = clock_fields_on_enter(to, now, order_clock_settings())
    fields.update(extra or {})
    Order.objects.filter(pk__any_of=order_ids, status=from_status).update(
        status=to, updated_at=now, **fields
    )
    insert_per_id(OrderEvent, "order", order_ids, from_status=from_status, to_status=to,
                  actor=None, at=now, **reason_fields(reason))
    if to == Order.Status.COMPLETED:
        _settle(order_ids, now)
    return order_ids


def orders_note_batch(*, order_ids: list[int], status: str, reason: str, now: datetime,
                      flags: dict) -> None:
    """Set flags on a batch of locked orders without a status change (a missed deadline),
    with a timeline row each."""
    Order.objects.filter(pk__any_of=order_ids).update(updated_at=now, **flags)
    insert_per_id(OrderEvent, "order", order_ids, from_status=status, to_status=status,
                  actor=None, at=now, **reason_fields(reason))


# --- stock ------------------------------------------------------------------------------
def _reserve_stock(quantities: dict[int, int], titles: dict[int, str]) -> None:
    """Take stock with one conditional UPDATE per SKU, in pk order so two orders never
    wait on each other's rows in opposite orders. 0 rows: not enough left."""
    table, stock, pk = (connection.ops.quote_name(name) for name in (
        Sku._meta.db_table, Sku._meta.get_field("stock").column, Sku._meta.pk.column))
    for sku_id in sorted(quantities):
        qty = quantities[sku_id]
        taken = prepared.execute(f"UPDATE {table} SET {stock} = {stock} - %s "  # noqa: S608
                                 f"WHERE {pk} = %s AND {stock} >= %s", [qty, sku_id, qty])
        if taken != 1:
            raise ApplicationError(
                _("Not enough stock left for “%(title)s”.") % {"title": titles[sku_id]},
                code="out_of_stock", field="items",
            )


def orders_release_stock(order_ids: list[int], now: datetime | None = None) -> None:
    """Give back the stock of these orders' lines, and what the extensions took for them
    (called once, in the transaction that moves them out of the state that held it).
    Lines whose stock an extension holds are given back by that extension."""
    order_extensions.release(order_ids, now or timezone.now())
    rows = (
        OrderLine.objects.filter(order_id__any_of=order_ids, stock_held_by="")
        .values("sku_id")
        .annotate(qty=Sum("quantity"))
        .order_by("sku_id")
    )
    for row in rows:
        Sku.objects.filter(pk=row["sku_id"]).update(stock=F("stock") + row["qty"])


# --- placing ----------------------------------------------------------------------------
def _clean_items(items) -> dict[int, int]:
    if not items:
        raise ApplicationError(_("Choose at least one SKU."), code="no_items", field="items")
    if len(items) > MAX_LINES_PER_ORDER:
        raise ApplicationError(
            _("An order holds at most %(n)d lines.") % {"n": MAX_LINES_PER_ORDER},
            code="too_many_items", field="items",
        )
    quantities: dict[int, int] = defaultdict(int)
    for item in items:
        try:
            sku_id = int(item["sku"])
            qty = item["quantity"]
            if isinstance(qty, bool) or int(qty) != qty:
                raise ValueError
            qty = int(qty)
        except (KeyError, TypeError, ValueError):
            raise ApplicationError(
                _("Each line needs a SKU and a whole quantity."), code="invalid_item",
                field="items",
            )
        if qty <= 0:
            raise ApplicationError(
                _("Quantity must be at least 1."), code="invalid_quantity", field="items"
            )
        quantities[sku_id] += qty
        if quantities[sku_id] > MAX_QUANTITY_PER_LINE:
            raise ApplicationError(
                _("At most %(n)d pieces of one SKU per order.") % {"n": MAX_QUANTITY_PER_LINE},
                code="invalid_quantity", field="items",
            )
    return dict(quantities)


def _clean_address(address) -> dict:
    missing = address_missing_fields(address)
    if missing:
        raise ApplicationError(
            _("The shipping address is incomplete: %(fields)s.") % {"fields": ", ".join(missing)},
            code="invalid_address", field="address",
        )
    return {k: str(v).strip()[:200] for k, v in address.items() if isinstance(k, str)}


def _clean_invoice(title: str, tax_number: str) -> tuple[str, str]:
    title = (title or "").strip()
    tax_number = (tax_number or "").strip().upper()
    if tax_number and not title:
        raise ApplicationError(
            _("An invoice with a taxpayer number needs a title."), code="invalid_invoice",
            field="invoice_title",
        )
    if tax_number and not TAX_NUMBER_RE.match(tax_number):
        raise ApplicationError(
            _("The taxpayer number must be 15, 17, 18 or 20 letters and digits."),
            code="invalid_invoice", field="invoice_tax_number",
        )
    return title, tax_number


# Not read by an order (each a timestamp psycopg would convert for nothing).
_UNUSED_TIMES = ("product__created_at", "product__updated_at", "product__listed_at",
                 "product__store__created_at", "product__store__updated_at",
                 "product__store__opened_at")


@prepared_query(sku_ids="ids", now="datetime")
def _order_skus(sku_ids, now):
    """The order's SKUs with their product and store, and the store's "may take orders
    now" (store_may_take_orders) in the same read."""
    blocked = ExpressionWrapper(store_orders_blocked(OuterRef("product__store_id"), now),
                                output_field=BooleanField())
    return (Sku.objects.select_related("product__store").filter(pk__any_of=sku_ids)
            .defer(*_UNUSED_TIMES)
            .annotate(store_blocked=blocked).order_by("pk"))


@dataclass(frozen=True)
class PlacedRows:
    """The rows `order_place` wrote with the order: its lines and its first event."""

    lines: list
    events: list


def _new_order_number(now: datetime) -> str:
    return f"{now.astimezone(SHANGHAI):%y%m%d%H%M%S}{secrets.randbelow(10**8):08d}"


def order_place(
    *, actor, items, address, invoice_title: str = "", invoice_tax_number: str = "",
    note: str = "", options: dict | None = None, now: datetime | None = None,
) -> Order:
    """A buyer orders SKUs of one store. Everything is validated before anything is
    written; stock is then reserved atomically and the order created in one transaction.
    `options` carries what the buyer chose for the extensions (`shop.order_extensions`:
    promotions), which price the lines and take what is limited in the same transaction."""
    now = now or timezone.now()
    quantities = _clean_items(items)
    address = _clean_address(address)
    invoice_title, invoice_tax_number = _clean_invoice(invoice_title, invoice_tax_number)
    # A crowd buying one SKU: a few of its orders at a time, the rest waiting in line here.
    with _SKU_GATE.held(quantities):
        return _place(actor, quantities, address, invoice_title, invoice_tax_number, note,
                      options, now)


_SKU_GATE = KeyedGate(lambda: config.get("order.max_in_flight_per_sku"))


def _place(actor, quantities, address, invoice_title, invoice_tax_number, note, options,
           now) -> Order:
    skus = _order_skus.run(sku_ids=list(quantities), now=timezone.now())
    if len(skus) != len(quantities):
        raise ApplicationError(_("A SKU in this order does not exist."), code="unknown_sku",
                               field="items")
    stores = {sku.product.store_id for sku in skus}
    if len(stores) != 1:
        raise ApplicationError(
            _("One order holds products of one store only; place one order per store."),
            code="several_stores", field="items",
        )
    store = skus[0].product.store
    store.orders_blocked = bool(skus[0].store_blocked)
    for sku in skus:
        product = sku.product
        if product.kind != Product.Kind.OWN:
            raise ApplicationError(
                _("“%(title)s” is sold on another platform and is ordered there.")
                % {"title": product.title},
                code="other_platform_product", field="items",
            )
        if product.status != Product.Status.LISTED or not sku.is_active:
            raise ApplicationError(
                _("“%(title)s” is not on sale.") % {"title": product.title},
                code="not_listed", field="items",
            )
    if store.merchant_id == actor.pk:
        raise ApplicationError(_("You cannot order from your own store."), code="own_store")
    if not store_may_take_orders(store):
        why = store_restriction_messages(store, "cart")
        if why:
            raise ApplicationError(
                _("This store cannot take orders: %(why)s") % {"why": " ".join(why)},
                code="store_cannot_sell")
        raise ApplicationError(_("This store cannot take orders at the moment."),
                               code="store_cannot_sell")

    # Promotions may set a line's price, hold its stock themselves and discount the order.
    draft = DraftOrder(
        buyer=actor, store=store, now=now, options=dict(options or {}),
        lines=[DraftLine(sku=sku, product=sku.product, quantity=quantities[sku.pk],
                         unit_price=sku.price) for sku in skus],
    )
    order_extensions.price(draft)
    from_sku_stock = {line.sku.pk: line.quantity for line in draft.lines
                      if not line.stock_held_by}
    for line in draft.lines:
        if line.sku.pk in from_sku_stock and line.sku.stock < line.quantity:
            raise ApplicationError(
                _("Not enough stock left for “%(title)s”.") % {"title": line.product.title},
                code="out_of_stock", field="items",
            )

    products = {sku.product_id: sku.product for sku in skus}
    shipping_fee = order_shipping_fee(
        [(p.free_shipping, p.shipping_fee) for p in products.values()]
    )
    amounts = [to_money(line.amount) for line in draft.lines]
    shared_by = [amount if line.discountable else ZERO
                 for line, amount in zip(draft.lines, amounts, strict=True)]
    discount = min(to_money(draft.discount), to_money(sum(shared_by)))
    for line, share in zip(draft.lines, allocate_discount(discount, shared_by), strict=True):
        line.discount = share
    totals = order_totals(amounts, shipping_fee, discount)

    clocks = clock_fields_on_enter(Order.Status.PENDING_PAYMENT, now, order_clock_settings())
    titles = {sku.pk: sku.product.title for sku in skus}
    # The SKU rows are the hot ones (many buyers of one SKU): their stock is taken by the
    # last statements of the transaction, so a row lock is held only until the commit.
    with transaction.atomic():
        order = Order(
            number=_new_order_number(now),
            buyer=actor,
            store=store,
            status=Order.Status.PENDING_PAYMENT,
            address=address,
            invoice_title=invoice_title,
            invoice_tax_number=invoice_tax_number,
            buyer_note=(note or "").strip()[:200],
            created_at=now,
            promotion=draft.data,
            **totals,
            **clocks,
        )
        # A number drawn twice (one in 10^8 per second; a flash sale writes hundreds a
        # second): drawn again, the transaction intact.
        for _attempt in range(ORDER_NUMBER_DRAWS):
            if prepared.insert([order], unless_taken=True):
                break
            order.number = _new_order_number(now)
        else:
            raise ApplicationError(_("The order could not be numbered; please try again."),
                                   code="order_number_taken")
        rows = [
            OrderLine(
                order=order, sku=line.sku, product=line.product, title=line.product.title,
                attributes=line.sku.attributes, unit_price=to_money(line.unit_price),
                quantity=line.quantity, amount=amount, discount_amount=line.discount,
                stock_held_by=line.stock_held_by, promotion=line.data,
                gifts=line.product.gifts,
                supports_seven_day_return=line.product.supports_seven_day_return,
            )
            for line, amount in zip(draft.lines, amounts, strict=True)
        ]
        prepared.insert(rows)
        for line, row in zip(draft.lines, rows, strict=True):
            line.line = row
        event = _event(order, "", Order.Status.PENDING_PAYMENT, actor, "", now)
        order_extensions.reserve(draft, order)
        _reserve_stock(from_sku_stock, titles)
    # What was written, for an answer that need not read it back.
    order.written = PlacedRows(lines=rows, events=[event])
    return order


# --- buyer and system moves -------------------------------------------------------------
def _ensure_buyer(order: Order, actor) -> None:
    if actor is not None and order.buyer_id != actor.pk:
        raise ApplicationError(_("This is not your order."), code="not_yours")


def order_cancel(*, order: Order, actor, reason: str = "", now: datetime | None = None) -> Order:
    """Cancel an unpaid order (the buyer, or the system when actor is None) and give its
    stock back, once."""
    now = now or timezone.now()
    with transaction.atomic():
        order = order_lock(order)
        _ensure_buyer(order, actor)
        if order.status != Order.Status.PENDING_PAYMENT:
            raise ApplicationError(
                _("Only an order awaiting payment can be cancelled."), code="bad_state"
            )
        order = order_transition(
            order=order, to=Order.Status.CANCELLED, actor=actor,
            reason=reason or R("cancelled_by_buyer"), now=now,
        )
        orders_release_stock([order.pk], now)
    return order


def order_mark_paid(*, order: Order, amount, now: datetime, payment_ref: str = "") -> Order:
    """The payment provider confirmed payment of a locked, unpaid order."""
    amount = to_money(amount)
    order = order_transition(
        order=order, to=Order.Status.PAID, actor=None, reason=R("payment_received"), now=now,
        extra={"paid_amount": order.paid_amount + amount},
        data={"payment": payment_ref, "amount": str(amount)},
    )
    # Each line is paid for its amount less its share of the order's discount.
    OrderLine.objects.filter(order=order).update(
        paid_amount=F("amount") - F("discount_amount"))
    invoice_request(order=order, now=now)  # the buyer's invoice request waits for the merchant
    order_extensions.paid(order, now)
    return order


def order_confirm_receipt(*, order: Order, actor, now: datetime | None = None) -> Order:
    """The buyer confirms receipt (确认收货): the order completes. If the courier has not
    reported signing, the after-sale windows start now."""
    now = now or timezone.now()
    with transaction.atomic():
        order = order_lock(order)
        _ensure_buyer(order, actor)
        if order.status not in (Order.Status.SHIPPED, Order.Status.SIGNED):
            raise ApplicationError(
                _("Receipt can be confirmed only once the order has shipped."), code="bad_state"
            )
        extra = {} if order.signed_at else {"signed_at": now}
        order = order_transition(
            order=order, to=Order.Status.COMPLETED, actor=actor,
            reason=R("receipt_confirmed"), now=now, extra=extra,
        )
    return order


def order_close(*, order: Order, actor, reason: str, now: datetime | None = None) -> Order:
    """Close a paid order after a full refund (after-sales, arbitration). Stock of an order
    that never left the warehouse goes back on sale."""
    now = now or timezone.now()
    with transaction.atomic():
        order = order_lock(order)
        was_unshipped = order.status == Order.Status.PAID
        order = order_transition(order=order, to=Order.Status.CLOSED, actor=actor,
                                 reason=reason, now=now)
        if was_unshipped:
            orders_release_stock([order.pk], now)
    return order
