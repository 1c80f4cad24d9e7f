"""The merchant order list reads what one page needs through an index, whatever the size
of the merchant: keyset pages, bounded counts, and (on PostgreSQL) plans with no sort."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from common.keyset import keyset_page
from shop.models import Order
from shop.selectors.orders import (
    merchant_order_counts,
    merchant_order_view,
    merchant_orders,
    orders_with_open_after_sales,
)
from tests.concurrency import postgres_only
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db


def _orders(store, buyer, n, *, status="pending_payment", start=None):
    start = start or timezone.now() - timedelta(days=30)
    rows = [
        Order(number=f"T{store.pk:04d}{status[:2]}{i:08d}", buyer=buyer, store=store, status=status,
              address={}, goods_amount=Decimal("10.00"), total_amount=Decimal("10.00"),
              created_at=start + timedelta(seconds=i),
              ship_by=start + timedelta(hours=48, seconds=-i) if status == "paid" else None)
        for i in range(n)
    ]
    Order.objects.bulk_create(rows, batch_size=1000)


def test_keyset_pages_walk_every_row_once_both_ways(buyer):
    store = StoreFactory()
    _orders(store, buyer, 7)
    qs = merchant_orders([store.pk])
    keys = ("-created_at", "-id")
    everything = list(qs.order_by(*keys).values_list("pk", flat=True))
    first = keyset_page(qs, keys=keys, size=3)
    second = keyset_page(qs, keys=keys, size=3, after=first.next_cursor)
    third = keyset_page(qs, keys=keys, size=3, after=second.next_cursor)
    assert [o.pk for page in (first, second, third) for o in page.object_list] == everything
    assert first.is_first and not first.previous_cursor
    assert not third.next_cursor
    back = keyset_page(qs, keys=keys, size=3, before=third.previous_cursor)
    assert [o.pk for o in back.object_list] == [o.pk for o in second.object_list]
    assert not back.is_first
    first_again = keyset_page(qs, keys=keys, size=3, before=back.previous_cursor)
    assert [o.pk for o in first_again.object_list] == everything[:3] and first_again.is_first


def test_counts_stop_at_the_cap(buyer):
    store = StoreFactory()
    _orders(store, buyer, 12)
    _orders(store, buyer, 3, status="paid", start=timezone.now())
    counts = merchant_order_counts([store.pk], ["pending_payment", "paid", "shipped"], cap=10)
    assert counts == {"pending_payment": 11, "paid": 3, "shipped": 0}
    assert merchant_order_counts([], ["paid"]) == {"paid": 0}


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_the_list_queries_are_served_by_indexes_without_sorting(buyer):
    big, small = StoreFactory(), StoreFactory()
    _orders(big, buyer, 4000)
    _orders(big, buyer, 1000, status="paid")
    _orders(small, buyer, 40)
    _orders(small, buyer, 10, status="paid")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Order._meta.db_table}")
    for store in (big, small):
        for view in ("to_ship", "all"):
            qs, keys = merchant_order_view(merchant_orders([store.pk]), view)
            page = orders_with_open_after_sales(qs).order_by(*keys)[:21]
            plan = _plan(page)
            assert "Index" in plan, plan
            assert "Seq Scan on shop_order" not in plan, plan
            if store is big:  # (the planner may sort a small store's few rows: bounded)
                assert "Sort" not in plan.split("SubPlan")[0], plan


@pytest.mark.parametrize("url", ["/admin/shop/order/", "/admin/disputes/aftersalerequest/"])
def test_admin_changelists_do_not_grow_with_the_table(reviewer_client, buyer, url):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    store = StoreFactory()
    _orders(store, buyer, 3)
    with CaptureQueriesContext(conn) as few:
        assert reviewer_client.get(url).status_code == 200
    _orders(StoreFactory(), buyer, 60)
    with CaptureQueriesContext(conn) as many:
        assert reviewer_client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    sql = " ".join(q["sql"] for q in many.captured_queries).upper()
    assert "DATE_TRUNC" not in sql and "DJANGO_DATETIME_TRUNC" not in sql  # no date drill-down
