"""Flash sales (秒杀): create, the one transition writer, start and end (the clocks), end
early, cancel; and the order extension that sells flash units through the normal order
path (shop.order_extensions).

What is limited is taken by the database in the order's transaction: the buyer's count by
an INSERT … ON CONFLICT DO UPDATE … WHERE bought + n <= allowed (with a CHECK behind it),
then the flash units by a conditional UPDATE on the sale SKU's row — the hot row, locked
last so the lock is held for the fewest statements."""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import InvalidOperation

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config, prepared
from common.errors import ApplicationError
from common.money import to_money
from common.reasons import reason_fields
from common.workflows import transition_apply
from promotions.models import FlashSale, FlashSaleBuyer, FlashSaleEvent, FlashSaleItem
from promotions.reasons import R
from promotions.rules.flash_sales import (
    FLASH_SALE_TRANSITIONS,
    HOLDING,
    STOCK_HOLDER,
    duration_problem,
    flash_price_problem,
    flash_units_to_take,
)
from promotions.selectors.flash_sales import order_promotion_reads_for
from shop.models import OrderLine, Product, Sku, Store
from shop.selectors.stores import store_abilities
from shop.services.products import MAX_STOCK, sku_stock_adjust

Status = FlashSale.Status


# --- the transition writer --------------------------------------------------------------
def flash_sale_lock(sale: FlashSale | int) -> FlashSale:
    """The sale row, locked for the rest of the transaction (FOR NO KEY UPDATE: buyers'
    counter rows referencing it can still be inserted meanwhile)."""
    pk = sale.pk if isinstance(sale, FlashSale) else sale
    return (FlashSale.objects.select_for_update(no_key=True)
            .select_related("store", "product").get(pk=pk))


def flash_sale_transition(*, sale: FlashSale, to: str, actor, reason="", now: datetime,
                          fields: dict | None = None, data: dict | None = None):
    """Move a locked sale (see flash_sale_lock) to `to`, with its event row."""
    return transition_apply(sale, table=FLASH_SALE_TRANSITIONS, to=to, actor=actor,
                            reason=reason, now=now, event_model=FlashSaleEvent,
                            event_fk="sale", fields=fields, data=data)


# --- create -----------------------------------------------------------------------------
def _refuse_restricted(store: Store) -> None:
    abilities = store_abilities(store)
    if not abilities.may_sell:
        raise ApplicationError(
            _("Your store cannot run a flash sale right now: %(reasons)s")
            % {"reasons": " ".join(str(r) for r in abilities.reasons)},
            code="store_restricted",
        )


def _clean_limit(value) -> int:
    maximum = config.get("flash_sale.max_per_buyer_limit")
    try:
        if isinstance(value, bool) or isinstance(value, float):
            raise ValueError
        limit = int(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(_("Enter a whole number."), code="invalid_limit",
                               field="per_buyer_limit")
    if not 1 <= limit <= maximum:
        raise ApplicationError(
            _("The purchase limit per buyer must be between 1 and %(max)d.") % {"max": maximum},
            code="invalid_limit", field="per_buyer_limit")
    return limit


def _clean_window(starts_at: datetime, duration: timedelta, now: datetime) -> datetime:
    if starts_at is None:
        raise ApplicationError(_("Choose when the flash sale starts."), code="invalid_start",
                               field="starts_at")
    if starts_at < now:
        raise ApplicationError(_("The start must not be in the past."), code="invalid_start",
                               field="starts_at")
    ahead = config.get("flash_sale.max_schedule_ahead_days")
    if starts_at > now + timedelta(days=ahead):
        raise ApplicationError(
            _("A flash sale can be scheduled at most %(days)d days ahead.") % {"days": ahead},
            code="invalid_start", field="starts_at")
    low = config.get("flash_sale.min_duration_minutes")
    high = config.get("flash_sale.max_duration_minutes")
    problem = duration_problem(duration, min_minutes=low, max_minutes=high)
    if problem:
        raise ApplicationError(
            _("A flash sale lasts from %(low)d minutes to %(high)d hours.")
            % {"low": low, "high": high // 60},
            code=f"duration_{problem}", field="duration")
    return starts_at + duration


def _clean_items(product: Product, items) -> list[dict]:
    """Every active SKU of the product needs a flash price below its regular price and a
    flash stock of at least one. Errors are collected per grid cell
    (``sku-<id>-price`` / ``sku-<id>-stock``) so the page shows each next to its field."""
    skus = list(product.skus.filter(is_active=True).order_by("pk"))
    if not skus:
        raise ApplicationError(_("This product has no SKU on sale."), code="no_skus",
                               field="product")
    given = {}
    for item in items or ():
        try:
            given[int(item["sku"])] = item
        except (KeyError, TypeError, ValueError):
            raise ApplicationError(_("Each row needs a SKU."), code="invalid_items",
                                   field="items")
    known = {sku.pk for sku in skus}
    if set(given) - known:
        raise ApplicationError(_("A SKU is not an active SKU of this product."),
                               code="unknown_sku", field="items")
    errors: dict[str, str] = {}
    cleaned = []
    for sku in skus:
        row = given.get(sku.pk) or {}
        price_key, stock_key = f"sku-{sku.pk}-price", f"sku-{sku.pk}-stock"
        try:
            price = to_money(str(row.get("flash_price", "")).strip())
            if not price.is_finite():
                raise ValueError
        except (InvalidOperation, ValueError, TypeError):
            price = None
            errors[price_key] = _("Enter a flash price for this SKU.")
        if price is not None:
            problem = flash_price_problem(price, sku.price)
            if problem == "not_positive":
                errors[price_key] = _("The flash price must be above zero.")
            elif problem:
                errors[price_key] = _("The flash price must be below the regular price "
                                      "(%(price)s).") % {"price": sku.price}
        try:
            stock = int(str(row.get("stock", "")).strip())
        except (TypeError, ValueError):
            stock = None
            errors[stock_key] = _("Enter the flash stock as a whole number.")
        if stock is not None and not 1 <= stock <= MAX_STOCK:
            errors[stock_key] = _("The flash stock must be at least 1.")
        cleaned.append({"sku": sku, "flash_price": price, "stock": stock})
    if errors:
        raise ApplicationError(
            _("Every SKU needs a flash price below its regular price and a flash stock."),
            code="invalid_items", field="items", extra={"fields": errors})
    return cleaned


def _refuse_overlap(product: Product, sku_ids: list[int], starts_at: datetime,
                    ends_at: datetime) -> None:
    """Under the product's row lock (taken by the caller): no other scheduled or running
    sale of these SKUs may share a moment with [starts_at, ends_at)."""
    clash = (FlashSaleItem.objects
             .filter(sku_id__in=sku_ids, sale__status__in=HOLDING,
                     sale__starts_at__lt=ends_at, sale__ends_at__gt=starts_at)
             .select_related("sale").order_by("sale__starts_at").first())
    if clash is not None:
        raise ApplicationError(
            _("A SKU of this product is already in a flash sale at that time (%(start)s – "
              "%(end)s).") % {"start": timezone.localtime(clash.sale.starts_at).strftime(
                  "%Y-%m-%d %H:%M"),
                              "end": timezone.localtime(clash.sale.ends_at).strftime(
                  "%Y-%m-%d %H:%M")},
            code="overlapping_sale", field="starts_at")


def flash_sale_create(*, store: Store, actor, product: Product, items, per_buyer_limit,
                      starts_at: datetime, duration: timedelta,
                      now: datetime | None = None) -> FlashSale:
    """Schedule a flash sale of one listed own product of the store: a flash price and a
    flash stock for every active SKU, a per-buyer limit, a start and a duration."""
    now = now or timezone.now()
    _refuse_restricted(store)
    if product.store_id != store.pk:
        raise ApplicationError(_("Choose one of your products."), code="not_yours",
                               field="product")
    if product.kind != Product.Kind.OWN or product.status != Product.Status.LISTED:
        raise ApplicationError(_("Only a listed own product can be sold in a flash sale."),
                               code="not_listed", field="product")
    limit = _clean_limit(per_buyer_limit)
    ends_at = _clean_window(starts_at, duration, now)
    cleaned = _clean_items(product, items)
    with transaction.atomic():
        # Two merchants' tabs creating sales of the same product wait here one after the
        # other, so the overlap check sees the first one's sale.
        Product.objects.select_for_update().filter(pk=product.pk).first()
        _refuse_overlap(product, [row["sku"].pk for row in cleaned], starts_at, ends_at)
        sale = FlashSale.objects.create(
            store=store, product=product, status=Status.SCHEDULED, starts_at=starts_at,
            ends_at=ends_at, per_buyer_limit=limit, created_at=now)
        FlashSaleItem.objects.bulk_create(
            FlashSaleItem(sale=sale, sku=row["sku"], flash_price=row["flash_price"],
                          regular_price=row["sku"].price, requested_stock=row["stock"])
            for row in cleaned)
        FlashSaleEvent.objects.create(sale=sale, from_status="", to_status=Status.SCHEDULED,
                                      actor=actor, at=now, **reason_fields(R("flash_created")))
    return sale


# --- start and end (the clocks), end early, cancel --------------------------------------
def _take_from_sku(sku_id: int, requested: int) -> int:
    """Move up to `requested` units out of the SKU's stock with a conditional update;
    retried if a buyer took some in between. Returns what was moved."""
    while True:
        available = Sku.objects.filter(pk=sku_id).values_list("stock", flat=True).first() or 0
        take = flash_units_to_take(requested, available)
        if take == 0 or sku_stock_adjust(sku=Sku(pk=sku_id), delta=-take):
            return take


def flash_sale_start(*, sale: FlashSale | int, now: datetime | None = None) -> FlashSale:
    """scheduled → running (the start clock): each SKU's flash stock is moved out of the
    SKU's stock; when the SKU has less than asked, what it has is taken and recorded. A
    store that cannot sell at that moment has its sale cancelled instead. Once: a sale no
    longer scheduled is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        sale = flash_sale_lock(sale)
        if sale.status != Status.SCHEDULED:
            return sale
        if not store_abilities(sale.store).may_sell:
            flash_sale_transition(sale=sale, to=Status.CANCELLED, actor=None, now=now,
                                  reason=R("flash_store_restricted"), fields={"ended_at": now})
            return sale
        taken, requested, detail = 0, 0, {}
        for item in sale.items.order_by("sku_id"):
            units = _take_from_sku(item.sku_id, item.requested_stock)
            FlashSaleItem.objects.filter(pk=item.pk).update(stock=units)
            taken += units
            requested += item.requested_stock
            detail[str(item.sku_id)] = {"requested": item.requested_stock, "taken": units}
        flash_sale_transition(sale=sale, to=Status.RUNNING, actor=None, now=now,
                              reason=R("flash_started", taken=taken, requested=requested),
                              fields={"started_at": now}, data={"skus": detail})
    return sale


def _flash_sale_end(sale: FlashSale, *, actor, now: datetime, early: bool) -> FlashSale:
    """running → ended, in the caller's transaction with the sale locked: what is unsold
    goes back to each SKU's stock (the items' rows are locked by the UPDATE, so a purchase
    waiting on one sees nothing left once this commits)."""
    items = list(sale.items.order_by("pk").values_list("pk", flat=True))
    FlashSaleItem.objects.filter(pk__in=items).update(
        returned=F("stock") - F("sold"))
    returned, detail = 0, {}
    for item in FlashSaleItem.objects.filter(pk__in=items).order_by("sku_id"):
        if item.returned:
            sku_stock_adjust(sku=Sku(pk=item.sku_id), delta=item.returned)
        returned += item.returned
        detail[str(item.sku_id)] = {"sold": item.sold, "returned": item.returned}
    reason = R("flash_ended_early" if early else "flash_ended", returned=returned)
    flash_sale_transition(sale=sale, to=Status.ENDED, actor=actor, now=now, reason=reason,
                          fields={"ended_at": now}, data={"skus": detail})
    return sale


def flash_sale_end(*, sale: FlashSale | int, now: datetime | None = None) -> FlashSale:
    """The end clock. Once: a sale no longer running is left alone."""
    now = now or timezone.now()
    with transaction.atomic():
        sale = flash_sale_lock(sale)
        if sale.status != Status.RUNNING:
            return sale
        return _flash_sale_end(sale, actor=None, now=now, early=False)


def _own(sale: FlashSale, actor) -> None:
    if actor is None or sale.store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your flash sale."), code="not_yours")


def flash_sale_end_early(*, sale: FlashSale, actor, now: datetime | None = None) -> FlashSale:
    """The merchant ends a running sale now: the same path as the end clock."""
    now = now or timezone.now()
    with transaction.atomic():
        sale = flash_sale_lock(sale)
        _own(sale, actor)
        if sale.status != Status.RUNNING:
            raise ApplicationError(_("Only a running flash sale can be ended."),
                                   code="bad_state")
        return _flash_sale_end(sale, actor=actor, now=now, early=True)


def flash_sale_cancel(*, sale: FlashSale, actor, now: datetime | None = None) -> FlashSale:
    """The merchant cancels a sale before it starts (nothing was taken yet)."""
    now = now or timezone.now()
    with transaction.atomic():
        sale = flash_sale_lock(sale)
        _own(sale, actor)
        if sale.status != Status.SCHEDULED:
            raise ApplicationError(_("Only a flash sale that has not started can be "
                                     "cancelled."), code="bad_state")
        flash_sale_transition(sale=sale, to=Status.CANCELLED, actor=actor, now=now,
                              reason=R("flash_cancelled"), fields={"ended_at": now})
    return sale


# --- the order path ---------------------------------------------------------------------
def _buyer_count_add(sale_id: int, buyer_id: int, quantity: int, allowed: int) -> bool:
    """Add to the buyer's count in one statement; False when it would pass the limit."""
    table = connection.ops.quote_name(FlashSaleBuyer._meta.db_table)
    return prepared.execute(
        f"INSERT INTO {table} (sale_id, buyer_id, bought, allowed) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s) "
        f"ON CONFLICT (sale_id, buyer_id) DO UPDATE SET bought = {table}.bought + "
        f"EXCLUDED.bought WHERE {table}.bought + EXCLUDED.bought <= {table}.allowed",
        [sale_id, buyer_id, quantity, allowed]) == 1


def _flash_units_take(item_id: int, quantity: int) -> bool:
    """Take flash units in one conditional UPDATE; False when fewer are left."""
    table = connection.ops.quote_name(FlashSaleItem._meta.db_table)
    return prepared.execute(
        f"UPDATE {table} SET sold = sold + %s "  # noqa: S608
        f"WHERE id = %s AND sold + %s <= stock - returned", [quantity, item_id, quantity]) == 1


def _limit_error(limit: int) -> ApplicationError:
    return ApplicationError(
        _("You can buy at most %(n)d pieces in this flash sale.") % {"n": limit},
        code="flash_sale_limit", field="items")


class FlashSaleOrders:
    """The order extension (shop.order_extensions): flash prices, flash units, counts."""

    def price(self, draft) -> None:
        # one statement with the campaign prices and the buyer's coupons (see
        # order_promotion_reads): the campaign and coupon extensions reuse it
        items = order_promotion_reads_for(draft).flash
        if not items:
            return
        per_sale: dict[int, int] = defaultdict(int)
        for line in draft.lines:
            item = items.get(line.sku.pk)
            if item is None:
                continue
            limit = item.limit
            per_sale[item.sale_id] += line.quantity
            if per_sale[item.sale_id] > limit:
                raise _limit_error(limit)
            line.unit_price = item.price
            line.stock_held_by = STOCK_HOLDER
            line.data = {**line.data, "flash_sale": {
                "sale": item.sale_id, "item": item.item_id, "limit": limit,
                "regular_price": str(line.sku.price)}}

    def reserve(self, draft, order) -> None:
        lines = [line for line in draft.lines if line.stock_held_by == STOCK_HOLDER]
        if not lines:
            return
        per_sale: dict[int, list] = {}
        for line in lines:
            info = line.data["flash_sale"]
            entry = per_sale.setdefault(info["sale"], [0, info["limit"]])
            entry[0] += line.quantity
        for sale_id in sorted(per_sale):
            quantity, limit = per_sale[sale_id]
            if not _buyer_count_add(sale_id, draft.buyer.pk, quantity, limit):
                raise _limit_error(limit)
        for line in sorted(lines, key=lambda ln: ln.data["flash_sale"]["item"]):
            qty, item_id = line.quantity, line.data["flash_sale"]["item"]
            # The hot row, last: after this UPDATE the transaction commits (the SKU stock of
            # the order's other lines aside), so the row lock is held for the fewest
            # statements.
            if not _flash_units_take(item_id, qty):
                raise ApplicationError(
                    _("The flash sale of “%(title)s” is sold out.") % {"title": line.product.title},
                    code="flash_sale_sold_out", field="items")

    def release(self, order_ids: list[int], now: datetime) -> None:
        rows = list(OrderLine.objects.filter(order_id__any_of=order_ids, stock_held_by=STOCK_HOLDER)
                    .values_list("order__buyer_id", "quantity", "promotion", "sku_id"))
        if not rows:
            return
        items: dict[int, list] = {}
        buyers: dict[tuple[int, int], int] = defaultdict(int)
        for buyer_id, quantity, promotion, sku_id in rows:
            info = (promotion or {}).get("flash_sale") or {}
            if "item" not in info:
                continue
            entry = items.setdefault(info["item"], [info["sale"], sku_id, 0])
            entry[2] += quantity
            buyers[(info["sale"], buyer_id)] += quantity
        # The sales first (the end clock locks them too), then the counts, then the units.
        running = set(
            FlashSale.objects.select_for_update(no_key=True)
            .filter(pk__in={sale for sale, _sku, _q in items.values()}, status=Status.RUNNING)
            .order_by("pk").values_list("pk", flat=True))
        for (sale_id, buyer_id) in sorted(buyers):
            qty = buyers[(sale_id, buyer_id)]
            FlashSaleBuyer.objects.filter(sale_id=sale_id, buyer_id=buyer_id,
                                          bought__gte=qty).update(bought=F("bought") - qty)
        for item_id in sorted(items):
            sale_id, sku_id, qty = items[item_id]
            qs = FlashSaleItem.objects.filter(pk=item_id, sold__gte=qty)
            if sale_id in running:
                qs.update(sold=F("sold") - qty)
            elif qs.update(sold=F("sold") - qty, returned=F("returned") + qty):
                sku_stock_adjust(sku=Sku(pk=sku_id), delta=qty)


flash_sale_orders = FlashSaleOrders()

