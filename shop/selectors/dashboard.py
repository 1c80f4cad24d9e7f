"""Reads of the merchant's dashboard (工作台): what needs the merchant now, each with its
count and nearest clock, and sales at a glance. Every read is scoped to the store, served
by an index, and bounded: counts stop at a cap, sales read only the last 30 days of the
(store, paid_at) index, so the page costs the same for a store with a million orders."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from common import config
from common.money import format_cny, to_money
from shop.charts import bar_chart, line_chart
from shop.models import DepositAccount, Order, Product, Store
from shop.rules.orders import DSR_DIMENSIONS

TILE_COUNT_CAP = 999
SALES_DAYS = 30


@dataclass
class Tile:
    """One to-do: how many, where to act, the nearest clock and what it is."""

    key: str
    label: str
    count: int
    url: str
    deadline: datetime | None = None
    deadline_label: str = ""
    note: str = ""
    tone: str = "warn"  # warn | bad
    # A wait that has run since a time (the oldest request), rather than a clock ahead.
    since: datetime | None = None
    since_label: str = ""

    @property
    def count_label(self) -> str:
        return f"{TILE_COUNT_CAP}+" if self.count > TILE_COUNT_CAP else str(self.count)


def _capped(qs) -> int:
    return qs.order_by().values("pk")[:TILE_COUNT_CAP + 1].count()


def _url(name: str, **params) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(params)}" if params else url


def orders_to_ship(store: Store, now: datetime) -> dict:
    """Paid orders waiting to be shipped, those whose deadline is within the configured
    hours (order.ship_soon_hours), and the nearest deadline: three reads of the
    (store, status, ship_by, id) index."""
    hours = config.get("order.ship_soon_hours")
    paid = Order.objects.filter(store=store, status=Order.Status.PAID)
    nearest = paid.order_by("ship_by", "id").values_list("ship_by", flat=True)[:1]
    return {
        "count": _capped(paid),
        "soon": _capped(paid.filter(ship_by__lte=now + timedelta(hours=hours))),
        "soon_hours": hours,
        "nearest": next(iter(nearest), None),
    }


def rejected_products(store: Store) -> int:
    """Products the review sent back (the (store, status) index), capped."""
    return _capped(Product.objects.filter(store=store, status=Product.Status.REJECTED))


def todo_tiles(store: Store, now: datetime | None = None, *, abilities=None) -> list[Tile]:
    """The tiles that need the merchant now, most pressing first; empty when nothing does."""
    from compliance.selectors import store_qualification_alerts
    from disputes.selectors import merchant_after_sale_todo
    from shop.selectors.deposits import deposit_shortfall
    from shop.selectors.invoices import TO_DO as INVOICES_TO_DO
    from shop.selectors.invoices import invoices_to_issue

    now = now or timezone.now()
    tiles = []
    ship = orders_to_ship(store, now)
    if ship["count"]:
        note = ""
        if ship["soon"]:
            note = _("%(n)s due within %(h)s h") % {
                "n": f"{TILE_COUNT_CAP}+" if ship["soon"] > TILE_COUNT_CAP else ship["soon"],
                "h": ship["soon_hours"]}
        tiles.append(Tile("to_ship", _("Orders to ship"), ship["count"],
                          _url("seller:orders", view="to_ship"), ship["nearest"],
                          _("Next ships by"), note, "bad" if ship["soon"] else "warn"))
    after_sales = merchant_after_sale_todo(store.pk, cap=TILE_COUNT_CAP)
    if after_sales["waiting"]["count"]:
        tiles.append(Tile("after_sales", _("After-sale requests waiting for you"),
                          after_sales["waiting"]["count"],
                          _url("seller_aftersales:list", status="merchant"),
                          after_sales["waiting"]["nearest"], _("Next clock")))
    if after_sales["escalated"]["count"]:
        tiles.append(Tile("escalated", _("Cases with platform support"),
                          after_sales["escalated"]["count"],
                          _url("seller_aftersales:list", status="escalated"),
                          after_sales["escalated"]["nearest"], _("Support rules by")))
    rejected = rejected_products(store)
    if rejected:
        tiles.append(Tile("rejected", _("Products rejected"), rejected,
                          _url("seller:products", status=Product.Status.REJECTED),
                          note=_("Fix them and send them for review again.")))
    invoices = invoices_to_issue(store, cap=TILE_COUNT_CAP)
    if invoices["count"]:
        tiles.append(Tile("invoices", _("Invoices to issue"), invoices["count"],
                          _url("seller:invoices", status=INVOICES_TO_DO),
                          since=invoices["oldest"], since_label=_("Oldest request")))
    quals = store_qualification_alerts(store, now=now)
    if quals["expired"]:
        tiles.append(Tile("qualifications_expired", _("Qualifications expired"), quals["expired"],
                          _url("seller_compliance:center"),
                          note=_("Products needing them are delisted until a new one is approved."),
                          tone="bad"))
    if quals["expiring"]:
        tiles.append(Tile("qualifications_expiring", _("Qualifications expiring"),
                          quals["expiring"], _url("seller_compliance:center"),
                          quals["nearest"], _("First expires")))
    deposits = deposit_shortfall(store)
    for kind, account in sorted(deposits["accounts"].items()):
        if account["closed"] or account["shortfall"] <= 0:
            continue
        label = DepositAccount.Kind(kind).label
        first = account["pay_by"] is not None and account["restricted_since"] is None
        tiles.append(Tile(
            f"deposit_{kind}",
            (_("%(deposit)s: first payment due") if first
             else _("%(deposit)s: shortfall to pay")) % {"deposit": label},
            1, _url("seller:deposit"), account["pay_by"] if first else None,
            _("Pay by") if first else "",
            _("%(amount)s to pay") % {"amount": format_cny(account["shortfall"])},
            "warn" if first else "bad"))
    if abilities is not None and abilities.reasons:
        # Where the merchant lifts them: pay the deposit, or see the credit score and measures.
        where = ("seller:deposit" if abilities.shortfall
                 else "seller_compliance:credit" if abilities.restricted else "seller:store")
        tiles.append(Tile("restrictions", _("Restrictions in force"), len(abilities.reasons),
                          _url(where), tone="bad"))
    return tiles


# --- sales at a glance --------------------------------------------------------------------
def _tz() -> ZoneInfo:
    return ZoneInfo(settings.PLATFORM_TIME_ZONE)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=_tz())


def _rate(refunded: int, orders: int) -> Decimal | None:
    if not orders:
        return None
    return to_money(Decimal(refunded) * 100 / orders)  # a percentage, two places


def sales_summary(store: Store, now: datetime | None = None) -> dict:
    """Orders paid today, in the last 7 and 30 days (platform days, today included): paid
    orders, GMV (amount paid), buyers and refund rate (share of those orders with a
    refund), and the 30 daily figures oldest first. Two reads of the (store, paid_at)
    index over the last 30 days."""
    now = now or timezone.now()
    today = timezone.localtime(now, _tz()).date()
    days = [today - timedelta(days=n) for n in range(SALES_DAYS - 1, -1, -1)]
    starts = {1: _day_start(today), 7: _day_start(days[-7]), 30: _day_start(days[0])}
    paid = Order.objects.filter(store=store, paid_at__gte=starts[30], paid_at__lte=now)
    refunded = Q(refunded_amount__gt=0)
    aggregates = {}
    for n, start in starts.items():
        in_range = Q(paid_at__gte=start)
        aggregates[f"orders_{n}"] = Count("pk", filter=in_range)
        aggregates[f"gmv_{n}"] = Sum("paid_amount", filter=in_range)
        aggregates[f"buyers_{n}"] = Count("buyer", distinct=True, filter=in_range)
        aggregates[f"refunded_{n}"] = Count("pk", filter=in_range & refunded)
    row = paid.aggregate(**aggregates)
    periods = []
    for n, label in ((1, _("Today")), (7, _("Last 7 days")), (30, _("Last 30 days"))):
        periods.append({
            "days": n, "label": label, "orders": row[f"orders_{n}"],
            "gmv": row[f"gmv_{n}"] or Decimal("0.00"), "buyers": row[f"buyers_{n}"],
            "refund_rate": _rate(row[f"refunded_{n}"], row[f"orders_{n}"]),
        })
    by_day = {
        r["day"]: r for r in paid.annotate(day=TruncDate("paid_at", tzinfo=_tz()))
        .values("day").annotate(orders=Count("pk"), gmv=Sum("paid_amount")).order_by("day")
    }
    daily = [{"day": day, "orders": by_day.get(day, {}).get("orders", 0),
              "gmv": by_day.get(day, {}).get("gmv") or Decimal("0.00")} for day in days]
    return {"periods": periods, "daily": daily}


def sales_chart(daily: list):
    """The daily GMV of the last 30 days as bars."""
    return bar_chart([d["gmv"] for d in daily], [d["day"].strftime("%m-%d") for d in daily])


def dsr_chart(trend: list):
    """The weekly DSR, one line per dimension; weeks without ratings are gaps."""
    return line_chart({name: [w[name] for w in trend] for name in DSR_DIMENSIONS},
                      [w["week"].strftime("%m-%d") for w in trend])
