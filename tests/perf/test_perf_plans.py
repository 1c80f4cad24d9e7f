"""On PostgreSQL, with a few thousand rows and fresh statistics, the default queries of the
merchant order list, the merchant after-sale list and the support queue are read through
an index: no sequential scan of the orders or the after-sale requests."""

import pytest
from django.db import connection

from common.keyset import _order
from disputes import selectors
from shop.selectors.orders import (
    merchant_order_view,
    merchant_orders,
    orders_with_open_after_sales,
)
from tests.perf.bulk import orders, requests, store_with_sku

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="query plans are checked on PostgreSQL, the production database"),
]

BIG_TABLES = ("shop_order", "disputes_aftersalerequest")


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _assert_index_served(qs):
    plan = _plan(qs)
    assert "Index" in plan, plan
    for table in BIG_TABLES:
        assert f"Seq Scan on {table}" not in plan, plan


@pytest.fixture
def data(merchant, buyer):
    big, big_sku = store_with_sku(merchant)
    small, small_sku = store_with_sku()
    orders(big, big_sku, buyer, 3000, tag="o")
    orders(big, big_sku, buyer, 600, status="paid", tag="p")
    requests(big, big_sku, buyer, 2000, escalated_every=7, tag="a")
    orders(small, small_sku, buyer, 30, tag="o")
    orders(small, small_sku, buyer, 5, status="paid", tag="p")
    requests(small, small_sku, buyer, 20, escalated_every=7, tag="a")
    with connection.cursor() as cursor:
        for table in (*BIG_TABLES, "shop_orderline"):
            cursor.execute(f"ANALYZE {table}")
    return big, small


def test_merchant_order_list_uses_an_index(data):
    for store in data:
        for view in ("to_ship", "all"):
            qs, keys = merchant_order_view(merchant_orders([store.pk]), view)
            _assert_index_served(orders_with_open_after_sales(qs).order_by(*keys)[:21])


def test_merchant_after_sale_list_uses_an_index(data):
    for store in data:
        for view in ("open", "all"):
            qs, keys = selectors.merchant_request_view(
                selectors.merchant_requests([store.pk]), view)
            _assert_index_served(qs.order_by(*_order(keys, selectors.NULLABLE_KEYS))[:21])
        counts = selectors.merchant_request_counts  # (one statement; each part capped)
        assert counts([store.pk], ("pending",), cap=10)["pending"] <= 11


def test_support_queue_uses_an_index(data, agent):
    for state in ("open", "all", "ruled"):
        qs = selectors.cases_for_agent(agent, state=state)
        keys, nullable = selectors.agent_queue_keys(state)
        _assert_index_served(qs.order_by(*_order(keys, nullable))[:26])


def test_admin_order_list_filtered_by_status_reads_its_index(data, rf, admin_user):
    """The review back office's order list, status=paid, newest first: read through
    (status, -created_at, -id), not by walking the date index and skipping other statuses."""
    from django.contrib import admin

    from shop.models import Order

    request = rf.get("/admin/shop/order/", {"status__exact": "paid"})
    request.user = admin_user
    changelist = admin.site._registry[Order].get_changelist_instance(request)
    qs = changelist.get_queryset(request)[:100]
    plan = _plan(qs)
    assert "shop_order_status_newest" in plan, plan
    assert "Sort" not in plan, plan
