"""Reads of orders and DSR, already scoped to who asks."""

from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncWeek
from django.utils import timezone

from common import config
from shop.models import Order, OrderEvent, OrderLine, Product, Sku, Store, StoreRating
from shop.rules.orders import DSR_DIMENSIONS, dsr_round, week_starts


# --- merchant ---------------------------------------------------------------------------
def orders_for_merchant(user) -> QuerySet[Order]:
    """The merchant's orders, those to ship first (most urgent clock first), then newest."""
    return (
        Order.objects.for_merchant(user)
        .select_related("buyer", "store")
        .annotate(
            to_ship=Case(
                When(status=Order.Status.PAID, then=Value(0)), default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("to_ship", "ship_by", "-created_at", "-pk")
    )


# The merchant's order list is served by indexes whatever the merchant's size: the store
# ids are read first (the planner then sees a literal, not a join), each view has an
# ordering one index serves, counts stop at a cap, and pages are keyset pages.
LIST_COUNT_CAP = 10_000
TO_SHIP_KEYS = ("ship_by", "id")
ALL_KEYS = ("-created_at", "-id")


def merchant_store_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(Store.objects.filter(merchant=user).values_list("pk", flat=True))


def merchant_orders(store_ids: list[int]) -> QuerySet[Order]:
    return Order.objects.filter(store_id__in=store_ids).select_related("buyer", "store")


def merchant_order_view(qs: QuerySet[Order], view: str) -> tuple[QuerySet[Order], tuple]:
    """"to_ship": paid orders, the nearest shipping deadline first; anything else: newest
    first. Returns the rows and the keys that order them."""
    if view == "to_ship":
        return qs.filter(status=Order.Status.PAID), TO_SHIP_KEYS
    return qs, ALL_KEYS


def merchant_order_counts(store_ids: list[int], statuses, cap: int | None = None) -> dict:
    """How many of the stores' orders are in each status, counting at most cap + 1 each
    (one query; each count reads at most cap + 1 entries of the (store, status) index)."""
    if not store_ids:
        return {status: 0 for status in statuses}
    cap = LIST_COUNT_CAP if cap is None else cap
    subqueries, params = [], []
    table = connection.ops.quote_name(Order._meta.db_table)
    marks = ", ".join(["%s"] * len(store_ids))
    # Only the quoted table name and placeholders are formatted into the statement.
    one = (f"(SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE store_id IN ({marks}) "  # noqa: S608
           "AND status = %s LIMIT %s) AS c)")
    for status in statuses:
        subqueries.append(one)
        params.extend([*store_ids, status, cap + 1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(subqueries), params)
        row = cursor.fetchone()
    return dict(zip(statuses, row, strict=True))


def orders_with_open_after_sales(qs: QuerySet[Order]) -> QuerySet[Order]:
    """Each order with its oldest open after-sale request (id, status) and how many are
    open, in the list's own query: a page shows its badges without a query per row."""
    from disputes.selectors import open_requests_of_orders

    open_requests = open_requests_of_orders(OuterRef("pk"))
    return qs.annotate(
        open_after_sale_id=Subquery(open_requests.values("pk")[:1]),
        open_after_sale_status=Subquery(open_requests.values("status")[:1]),
        open_after_sale_count=Subquery(
            open_requests.order_by().values("order").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
    )


def order_filter(qs: QuerySet[Order], *, status="", date_from=None, date_to=None, q="",
                 late=False) -> QuerySet[Order]:
    if status:
        qs = qs.filter(status=status)
    # Whole days in the platform's time zone, as a range on the indexed column.
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    if q:
        qs = qs.filter(Q(number=q.strip()) | Q(waybill_number=q.strip()))
    if late:
        qs = qs.filter(Q(shipped_late=True) | Q(pickup_late=True))
    return qs


# --- export -------------------------------------------------------------------------------
EXPORT_CHUNK_SIZE = 2000
EXPORT_LINE_FIELDS = (
    "order_id", "title", "attributes", "quantity", "sku__code",
    "order__number", "order__paid_at", "order__status", "order__buyer__username",
    "order__goods_amount", "order__shipping_fee", "order__discount_amount",
    "order__total_amount", "order__paid_amount", "order__refunded_amount",
    "order__address", "order__courier", "order__waybill_number", "order__buyer_note",
)


def order_export_lines(orders: QuerySet[Order], keys: tuple) -> QuerySet:
    """The lines of `orders` (already scoped and filtered) in the order of `keys`, each
    with the columns of its order: one query for the whole export, read in chunks by the
    caller (`.iterator(chunk_size=...)`), only the columns the export writes."""
    ordering = [("-" if k.startswith("-") else "") + "order__" + k.lstrip("-") for k in keys]
    return (
        OrderLine.objects.filter(order__in=orders.order_by().values("pk"))
        .order_by(*ordering, "pk")
        .values(*EXPORT_LINE_FIELDS)
    )


def order_export_rows(orders: QuerySet[Order], keys: tuple) -> Iterator[dict]:
    """One dict per order, its lines gathered: the lines arrive grouped by order (they are
    ordered by the order's keys first), so only one order is held at a time."""
    lines = order_export_lines(orders, keys).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    for _order_id, group in groupby(lines, key=itemgetter("order_id")):
        group = list(group)
        row = {k.removeprefix("order__"): v for k, v in group[0].items()
               if k.startswith("order__")}
        row["lines"] = [{"title": g["title"], "attributes": g["attributes"],
                         "quantity": g["quantity"], "sku_code": g["sku__code"]}
                        for g in group]
        yield row


def _day_start(day) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(settings.PLATFORM_TIME_ZONE))


def _with_detail(qs: QuerySet[Order]) -> QuerySet[Order]:
    return qs.select_related("buyer", "store").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product")), "tracking",
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
    )


def order_detail_for_merchant(user, number: str) -> Order:
    """Raises Order.DoesNotExist for another store's order (the view answers 404)."""
    return _with_detail(Order.objects.for_merchant(user)).get(number=number)


def order_counts_for_merchant(user) -> dict:
    rows = (
        Order.objects.for_merchant(user).values("status").annotate(n=Count("pk")).order_by()
    )
    return {row["status"]: row["n"] for row in rows}


# --- buyer ------------------------------------------------------------------------------
def _buyer_orders(user) -> QuerySet[Order]:
    if not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    return Order.objects.filter(buyer=user).select_related("store").order_by("-created_at", "-pk")


def orders_for_buyer(user) -> QuerySet[Order]:
    return _buyer_orders(user).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product")))


def order_detail_for_buyer(user, number: str) -> Order:
    return _with_detail(_buyer_orders(user)).get(number=number)


def store_listed_products(slug: str) -> tuple[Store, QuerySet[Product]]:
    """A store's listed products, with their active SKUs, for the buyer app."""
    store = Store.objects.get(slug=slug)
    products = (
        Product.objects.filter(store=store, status=Product.Status.LISTED)
        .select_related("store")
        .prefetch_related(
            Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("pk"))
        )
        .order_by("-created_at", "-pk")
    )
    return store, products


def catalogue_products(*, q: str = "", category_id: int | None = None) -> QuerySet[Product]:
    """Listed products of open stores across the platform, newest first (served by the
    (status, created_at) index), optionally by a word in the title and by a category with
    everything below it."""
    products = (
        Product.objects.filter(status=Product.Status.LISTED, store__status=Store.Status.OPEN)
        .select_related("store")
        .prefetch_related(
            Prefetch("skus", queryset=Sku.objects.filter(is_active=True).order_by("pk")))
        .order_by("-created_at", "-pk")
    )
    if q:
        products = products.filter(title__icontains=q)
    if category_id:
        products = products.filter(Q(category_id=category_id)
                                   | Q(category__parent_id=category_id)
                                   | Q(category__parent__parent_id=category_id))
    return products


# --- DSR --------------------------------------------------------------------------------
def _window_start(now: datetime) -> datetime:
    return now - timedelta(days=config.get("dsr.window_days"))


def store_dsr(store: Store, now: datetime | None = None) -> dict:
    """The store's DSR: average of each dimension over the window (90 days), and how many
    ratings it rests on. Scores are None while there are no ratings."""
    now = now or timezone.now()
    row = StoreRating.objects.filter(
        store=store, created_at__gt=_window_start(now), created_at__lte=now
    ).aggregate(count=Count("pk"), **{name: Avg(name) for name in DSR_DIMENSIONS})
    result = {name: dsr_round(row[name]) for name in DSR_DIMENSIONS}
    result["count"] = row["count"]
    result["window_days"] = config.get("dsr.window_days")
    return result


def store_dsr_trend(store: Store, now: datetime | None = None) -> list[dict]:
    """Weekly averages over the window, oldest week first; weeks without ratings have
    None scores (a gap in the chart, not a zero)."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    rows = (
        StoreRating.objects.filter(
            store=store, created_at__gt=_window_start(now), created_at__lte=now
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(count=Count("pk"), **{name: Avg(name) for name in DSR_DIMENSIONS})
        .order_by("week")
    )
    by_week = {}
    for row in rows:
        week = row["week"]
        week = week.date() if hasattr(week, "date") else week
        by_week[week] = row
    trend = []
    for monday in week_starts(local_now, config.get("dsr.window_days")):
        row = by_week.get(monday, {})
        entry = {"week": monday, "count": row.get("count", 0)}
        for name in DSR_DIMENSIONS:
            entry[name] = dsr_round(row.get(name))
        trend.append(entry)
    return trend
