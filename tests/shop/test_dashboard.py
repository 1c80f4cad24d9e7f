"""The merchant's dashboard (工作台): to-do tiles, sales at a glance and the charts."""

import itertools
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from common import config
from compliance.models import Qualification, QualificationType
from compliance.selectors import store_qualification_alerts
from disputes.models import AfterSaleRequest
from shop.charts import bar_chart, line_chart
from shop.models import DepositAccount, Order, Product
from shop.selectors.dashboard import sales_summary, todo_tiles
from shop.selectors.stores import StoreAbilities
from tests.factories import ProductFactory
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = pytest.mark.django_db
_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def english(request, settings):
    """The assertions read the English wording of the pages and tiles."""
    with translation.override("en"):
        if "merchant_client" in request.fixturenames:
            client = request.getfixturevalue("merchant_client")
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        yield


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def other_store(other_merchant):
    return store_for(other_merchant)


def _order(store, buyer, *, status=Order.Status.PAID, paid_at=None, ship_by=None,
           paid="100.00", refunded="0.00"):
    now = timezone.now()
    paid_at = paid_at or now
    return Order.objects.create(
        number=f"T{next(_numbers):012d}", buyer=buyer, store=store, status=status,
        goods_amount=Decimal(paid), total_amount=Decimal(paid), paid_amount=Decimal(paid),
        refunded_amount=Decimal(refunded), address=ADDRESS, paid_at=paid_at,
        ship_by=ship_by or paid_at + timedelta(hours=48),
    )


def _request(order, *, status, next_deadline):
    line_sku = listed_sku(order.store)
    line = order.lines.create(sku=line_sku, product=line_sku.product, title="t",
                              unit_price=Decimal("10"), quantity=1, amount=Decimal("10"),
                              paid_amount=Decimal("10"))
    return AfterSaleRequest.objects.create(
        order=order, line=line, buyer=order.buyer, store=order.store,
        kind=AfterSaleRequest.Kind.REFUND_ONLY, reason=AfterSaleRequest.Reason.QUALITY,
        status=status, next_deadline=next_deadline, finished=False,
    )


def _tiles(html: str) -> dict:
    """{tile key: (count, href, text)} from the page."""
    tiles = {}
    for href, key, body in re.findall(
            r'<a class="todo-tile[^"]*" href="([^"]+)" data-tile="([^"]+)">(.*?)</a>', html, re.S):
        count = re.search(r'class="todo-count">([^<]+)<', body).group(1)
        tiles[key] = (count, href.replace("&amp;", "&"), re.sub(r"<[^>]+>", " ", body))
    return tiles


def test_nothing_to_do_and_no_sales_still_draws_both_charts(merchant_client, store):
    html = merchant_client.get("/seller/").content.decode()
    assert "data-empty-todo" in html and _tiles(html) == {}
    assert 'data-chart="bars"' in html and 'data-chart="dsr"' in html
    assert "<rect" not in html  # no bars without sales
    assert "No paid orders yet" in html and "No ratings yet" in html
    assert html.count("<td>¥0.00</td>") == 30  # the table fallback: one row a day


def test_tiles_count_what_needs_the_merchant_and_link_to_the_filtered_lists(
        merchant_client, store, buyer, other_store, other_buyer):
    now = timezone.now()
    urgent = _order(store, buyer, paid_at=now - timedelta(hours=44))  # 4 h left
    _order(store, buyer, paid_at=now - timedelta(hours=1))  # 47 h left
    _order(store, buyer, status=Order.Status.SHIPPED)  # shipped: nothing to do
    ProductFactory(store=store, status=Product.Status.REJECTED)
    waiting = _request(urgent, status=AfterSaleRequest.Status.PENDING,
                       next_deadline=now + timedelta(hours=30))
    escalated = _request(_order(store, buyer, status=Order.Status.SIGNED),
                         status=AfterSaleRequest.Status.ESCALATED,
                         next_deadline=now + timedelta(hours=20))
    _request(_order(store, buyer, status=Order.Status.SIGNED),
             status=AfterSaleRequest.Status.AWAITING_RETURN,  # the buyer's turn
             next_deadline=now + timedelta(hours=5))
    # another merchant's orders, requests and products never count
    for _ in range(3):
        other = _order(other_store, other_buyer, paid_at=now - timedelta(hours=45))
        _request(other, status=AfterSaleRequest.Status.PENDING, next_deadline=now)
        _request(other, status=AfterSaleRequest.Status.ESCALATED, next_deadline=now)
        ProductFactory(store=other_store, status=Product.Status.REJECTED)

    tiles = _tiles(merchant_client.get("/seller/").content.decode())
    assert set(tiles) == {"to_ship", "after_sales", "escalated", "rejected"}
    count, url, text = tiles["to_ship"]
    assert (count, url) == ("2", "/seller/orders/?view=to_ship")
    assert "1 due within 6 h" in text
    assert re.search(r"0(d |天)3(h|小时)", text)  # the nearest deadline's countdown
    assert tiles["after_sales"][:2] == ("1", "/seller/after-sales/?status=merchant")
    assert re.search(r"1(d |天)5(h|小时)", tiles["after_sales"][2])
    assert tiles["escalated"][:2] == ("1", "/seller/after-sales/?status=escalated")
    assert tiles["rejected"][:2] == ("1", "/seller/products/?status=rejected")

    # each link opens the list of exactly those items
    html = merchant_client.get(tiles["after_sales"][1]).content.decode()
    assert f"/seller/after-sales/{waiting.pk}/" in html
    assert f"/seller/after-sales/{escalated.pk}/" not in html
    html = merchant_client.get(tiles["escalated"][1]).content.decode()
    assert f"/seller/after-sales/{escalated.pk}/" in html
    assert f"/seller/after-sales/{waiting.pk}/" not in html
    html = merchant_client.get(tiles["to_ship"][1]).content.decode()
    assert urgent.number in html
    assert merchant_client.get(tiles["rejected"][1]).status_code == 200


def test_the_ship_soon_threshold_is_configuration(store, buyer):
    now = timezone.now()
    _order(store, buyer, paid_at=now - timedelta(hours=44))  # 4 h left
    _order(store, buyer, paid_at=now - timedelta(hours=38))  # 10 h left
    tile = todo_tiles(store, now)[0]
    assert tile.key == "to_ship" and "1 due within 6 h" in str(tile.note)
    config.set_value("order.ship_soon_hours", 12)
    tile = todo_tiles(store, now)[0]
    assert "2 due within 12 h" in str(tile.note) and tile.tone == "bad"
    config.set_value("order.ship_soon_hours", 2)
    tile = todo_tiles(store, now)[0]
    assert tile.note == "" and tile.tone == "warn"


def test_deposit_first_payment_and_shortfall_tiles(merchant_client, store):
    now = timezone.now()
    DepositAccount.objects.create(store=store, kind=DepositAccount.Kind.STORE,
                                  required_amount=Decimal("500"), shortfall=Decimal("500"),
                                  pay_by=now + timedelta(days=3))
    tiles = {t.key: t for t in todo_tiles(store, now)}
    assert tiles["deposit_store"].deadline == now + timedelta(days=3)
    assert tiles["deposit_store"].url == "/seller/deposit/"
    DepositAccount.objects.filter(store=store).update(pay_by=None, restricted_since=now)
    html = merchant_client.get("/seller/").content.decode()
    tiles = _tiles(html)
    assert tiles["deposit_store"][1] == "/seller/deposit/"
    assert tiles["restrictions"][1] == "/seller/deposit/"
    assert 'id="restrictions"' in html  # and why


def test_compliance_restrictions_link_to_the_credit_page(store):
    abilities = StoreAbilities(may_sell=False, may_list=False, may_withdraw=True,
                               reasons=["a measure"], restricted={"listing": ["a measure"]})
    tile = todo_tiles(store, abilities=abilities)[-1]
    assert (tile.key, tile.count, tile.url) == ("restrictions", 1, "/seller/compliance/credit/")


def test_qualifications_expiring_and_expired(store, other_store):
    now = timezone.now()
    kinds = [QualificationType.objects.create(code=f"q{i}", name=f"Q{i}") for i in range(3)]

    def qual(store, kind, status, expires, warn=None):
        return Qualification.objects.create(
            store=store, type=kind, valid_from=now.date(), status=status,
            expires_at=expires, warn_at=warn)

    qual(store, kinds[0], "approved", now + timedelta(days=5), now - timedelta(days=1))
    qual(store, kinds[1], "expired", now - timedelta(days=1))
    qual(store, kinds[2], "expired", now - timedelta(days=9))
    qual(store, kinds[2], "approved", now + timedelta(days=300), now + timedelta(days=270))
    qual(other_store, kinds[1], "expired", now - timedelta(days=1))
    alerts = store_qualification_alerts(store, now=now)
    assert alerts == {"expiring": 1, "expired": 1, "nearest": now + timedelta(days=5)}
    tiles = {t.key: t for t in todo_tiles(store, now)}
    assert tiles["qualifications_expiring"].count == 1
    assert tiles["qualifications_expired"].url == "/seller/compliance/"


def test_sales_at_a_glance(store, buyer, other_buyer, other_store):
    now = timezone.now()
    _order(store, buyer, paid_at=now - timedelta(minutes=1), paid="100.00")
    _order(store, other_buyer, paid_at=now - timedelta(days=3), paid="50.00", refunded="50.00")
    _order(store, buyer, paid_at=now - timedelta(days=20), paid="30.00")
    _order(store, buyer, paid_at=now - timedelta(days=40), paid="999.00")  # outside
    unpaid = _order(store, buyer, status=Order.Status.PENDING_PAYMENT, paid="0.00")
    Order.objects.filter(pk=unpaid.pk).update(paid_at=None)
    _order(other_store, buyer, paid_at=now, paid="777.00")  # another store
    summary = sales_summary(store, now)
    today, week, month = summary["periods"]
    assert (today["orders"], today["gmv"], today["buyers"]) == (1, Decimal("100.00"), 1)
    assert (week["orders"], week["gmv"], week["buyers"]) == (2, Decimal("150.00"), 2)
    assert week["refund_rate"] == Decimal("50.00") and today["refund_rate"] == 0
    assert (month["orders"], month["gmv"], month["buyers"]) == (3, Decimal("180.00"), 2)
    assert len(summary["daily"]) == 30
    assert sum(d["gmv"] for d in summary["daily"]) == Decimal("180.00")
    assert summary["daily"][-1]["day"] == timezone.localdate(now)


def test_the_dashboard_runs_a_fixed_number_of_queries(merchant_client, store, buyer,
                                                      django_assert_num_queries):
    now = timezone.now()

    def add(n):
        for i in range(n):
            _order(store, buyer, paid_at=now - timedelta(hours=i % 50, days=i % 30))
    add(3)
    merchant_client.get("/seller/")  # settings read once into the cache
    with django_assert_num_queries(QUERIES) as first:
        html = merchant_client.get("/seller/").content.decode()
    assert _tiles(html)["to_ship"][0] == "3"
    assert html.count('<rect class="chart-bar"') == 3  # one bar a day with sales
    assert "No paid orders yet" not in html
    add(27)
    with django_assert_num_queries(QUERIES):
        html = merchant_client.get("/seller/").content.decode()
    assert _tiles(html)["to_ship"][0] == "30"
    assert len(first.captured_queries) == QUERIES


# the request's own (session, user, roles), the store, 2 for its abilities, 3 for orders to ship,
# 4 for after-sales, rejected products, 2 for invoices to issue, qualifications, deposits,
# 2 for sales, 2 for DSR, the header's unread notifications
QUERIES = 23


def test_bar_chart_geometry():
    empty = bar_chart([0] * 30, [f"d{i}" for i in range(30)])
    assert empty.empty and empty.bars == [] and len(empty.x_labels) == 3
    chart = bar_chart([Decimal("0"), Decimal("50"), Decimal("100")], ["a", "b", "c"])
    assert not chart.empty and [b["label"] for b in chart.bars] == ["b", "c"]
    tallest = chart.bars[1]
    assert tallest["y"] == 12 and tallest["y"] + tallest["h"] == chart.bottom_y
    assert chart.y_ticks[-1][1] == "100"


def test_line_chart_leaves_gaps_for_weeks_without_ratings():
    values = [Decimal("5"), Decimal("4"), None, Decimal("3"), None, Decimal("1"), Decimal("2")]
    chart = line_chart({"service": values}, [str(i) for i in range(7)])
    line = chart.lines[0]
    assert len(line["paths"]) == 2 and len(line["dots"]) == 1  # 5-4, a lone 3, 1-2
    assert line["paths"][0].startswith(f"M{float(chart.left)},12.0")  # 5 at the top
    assert line_chart({"service": [None, None]}, ["a", "b"]).empty


def test_dsr_chart_on_the_page(merchant_client, store, monkeypatch):
    week = timezone.localdate()
    trend = [{"week": week - timedelta(days=7 * (2 - i)), "count": c, "description": v,
              "service": v, "logistics": v}
             for i, (c, v) in enumerate([(2, Decimal("4.50")), (0, None), (1, Decimal("5.00"))])]
    monkeypatch.setattr("shop.views.dashboard.store_dsr_trend", lambda store, now: trend)
    html = merchant_client.get("/seller/").content.decode()
    svg = html[html.index('data-chart="dsr"'):]
    svg = svg[:svg.index("</svg>")]
    assert svg.count("<circle") == 6 and "<path" not in svg  # two lone weeks per line
    assert "No ratings yet" not in svg


def test_another_merchant_sees_only_their_own_dashboard(other_merchant_client, store, buyer,
                                                        other_store):
    _order(store, buyer)
    ProductFactory(store=store, status=Product.Status.REJECTED)
    html = other_merchant_client.get("/seller/").content.decode()
    assert other_store.name in html and "data-empty-todo" in html
    assert '<dd data-figure="orders">0</dd>' in html
