"""common.prepared: the hot path's statements built once and bound per call give what the
ORM gives, on SQLite (the ORM itself) and on PostgreSQL (the statement compiled once, run
through a server-binding cursor that PostgreSQL prepares)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, OuterRef
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common import prepared
from common.prepared import PreparedQuery, prepared_query
from shop.models import Order, OrderEvent, Sku
from shop.selectors.stores import store_orders_blocked
from tests.factories import ProductFactory, SkuFactory, StoreFactory
from tests.perf.bulk import orders, store_with_sku

pytestmark = pytest.mark.django_db
on_postgresql = connection.vendor == "postgresql"


@prepared_query(sku_ids="ids", now="datetime")
def skus_with_store(sku_ids, now):
    blocked = ExpressionWrapper(store_orders_blocked(OuterRef("product__store_id"), now),
                                output_field=BooleanField())
    return (Sku.objects.select_related("product__store").filter(pk__any_of=sku_ids)
            .annotate(store_blocked=blocked).order_by("pk"))


def _shape(sku):
    return (sku.pk, sku.price, sku.attributes, sku.stock, sku.product.pk, sku.product.title,
            sku.product.gifts, sku.product.store.pk, sku.product.store.name,
            sku.product.store.merchant_id, bool(sku.store_blocked))


def test_instances_with_related_objects_and_annotations_equal_the_orms():
    store, other = StoreFactory(), StoreFactory()
    skus = [SkuFactory(product=ProductFactory(store=store), attributes={"颜色": "红"}),
            SkuFactory(product=ProductFactory(store=store)),
            SkuFactory(product=ProductFactory(store=other))]
    now = timezone.now()
    for ids in ([skus[0].pk], [skus[2].pk, skus[0].pk], [s.pk for s in skus], [-1], []):
        for when in (now, now - timedelta(days=400)):
            got = skus_with_store.run(sku_ids=ids, now=when)
            want = list(skus_with_store.build(ids, when))
            assert [_shape(s) for s in got] == [_shape(s) for s in want], (ids, when)
            assert all(isinstance(s, Sku) and not s._state.adding for s in got)
    with CaptureQueriesContext(connection) as queries:  # the query log sees it
        skus_with_store.run(sku_ids=[skus[0].pk], now=now)
    assert len(queries) == 1 and '"shop_sku"' in queries[0]["sql"]


@pytest.mark.skipif(not on_postgresql, reason="the compiled form is PostgreSQL's")
def test_postgresql_prepares_the_statement_once_it_is_run_often():
    sku = SkuFactory()
    for _ in range(7):
        skus_with_store.run(sku_ids=[sku.pk], now=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert any('"shop_sku"' in sql and "$1" in sql for sql in statements), statements


@pytest.mark.skipif(not on_postgresql, reason="the compiled form is PostgreSQL's")
def test_a_value_derived_from_a_parameter_is_refused_not_frozen():
    derived = PreparedQuery(
        lambda now: Order.objects.filter(created_at__gt=now - timedelta(days=1)), now="datetime")
    with pytest.raises(ImproperlyConfigured, match="as it is given"):
        derived.run(now=timezone.now())
    unused = PreparedQuery(lambda store, now: Order.objects.filter(store_id=store),
                           store="id", now="datetime")
    with pytest.raises(ImproperlyConfigured, match="as it is given"):
        unused.run(store=1, now=timezone.now())


def test_values_list_rows_equal_the_orms(buyer):
    store, sku = store_with_sku()
    placed = orders(store, sku, buyer, 3)
    query = PreparedQuery(lambda store: Order.objects.filter(store_id=store).order_by("pk")
                          .values_list("pk", "total_amount", "address"), store="id")
    assert query.run(store=store.pk) == list(query.build(store.pk))
    assert [row[0] for row in query.run(store=store.pk)] == [o.pk for o in placed]


def test_insert_sets_the_keys_and_writes_what_save_would(buyer):
    store, sku = store_with_sku()
    order = orders(store, sku, buyer, 1)[0]
    now = timezone.now()
    events = [OrderEvent(order=order, from_status="", to_status="paid", actor=buyer, at=now,
                         data={"第": n}) for n in range(3)]
    with CaptureQueriesContext(connection) as queries:
        prepared.insert(events)
    assert len(queries) == 1
    assert all(e.pk and not e._state.adding for e in events)
    stored = {e.pk: e for e in OrderEvent.objects.filter(pk__in=[e.pk for e in events])}
    for event in events:
        row = stored[event.pk]
        assert (row.order_id, row.to_status, row.actor_id, row.at, row.data) == (
            order.pk, "paid", buyer.pk, now, event.data)
    copy = Order.objects.get(pk=order.pk)
    copy.pk, copy.number = None, "copy-1"
    before = timezone.now()
    prepared.insert([copy])  # auto_now fields are set as save() sets them
    assert copy.pk != order.pk and copy.updated_at >= before
    assert Order.objects.get(pk=copy.pk).updated_at == copy.updated_at
    prepared.insert([])


def test_a_write_through_execute_reports_its_row_count(buyer):
    store, sku = store_with_sku()
    table = connection.ops.quote_name(Sku._meta.db_table)
    sql = f"UPDATE {table} SET stock = stock - %s WHERE id = %s AND stock >= %s"  # noqa: S608
    stock = Sku.objects.get(pk=sku.pk).stock
    assert prepared.execute(sql, [stock, sku.pk, stock]) == 1
    assert prepared.execute(sql, [1, sku.pk, 1]) == 0
    assert Sku.objects.get(pk=sku.pk).stock == 0


@pytest.mark.skipif(not on_postgresql, reason="the server-binding cursor is PostgreSQL's")
def test_one_cursor_is_kept_per_connection_and_a_new_one_after_reconnecting(buyer):
    first, kept = prepared._cursor(connection)
    assert kept and prepared._cursor(connection) == (first, True)
    assert skus_with_store.run(sku_ids=[-1], now=timezone.now()) == []
    assert prepared._cursor(connection)[0] is first
    with CaptureQueriesContext(connection):  # logged: a cursor of its own, closed after
        logged, kept = prepared._cursor(connection)
        assert logged is not first and not kept
        logged.close()
    # kept for a connection since closed (and reopened): not reused
    connection.__dict__["_prepared_cursor"] = (object(), first)
    again, kept = prepared._cursor(connection)
    assert kept and again is not first
    assert prepared.execute(
        "UPDATE shop_order SET buyer_note = buyer_note WHERE id = %s", [-1]) == 0
