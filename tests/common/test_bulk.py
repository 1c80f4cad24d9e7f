"""common.bulk: the array-parameter lookup and the one-statement insert the sweeps use,
on SQLite (the IN / bulk_create fallback) and on PostgreSQL (ANY / unnest)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.bulk import insert_per_id
from common.reasons import reason_fields
from shop.models import Order, OrderEvent
from shop.reasons import R
from tests.perf.bulk import orders, store_with_sku


def test_any_of_selects_exactly_the_given_ids(db, buyer):
    store, sku = store_with_sku()
    rows = orders(store, sku, buyer, 6)
    wanted = [rows[1].pk, rows[4].pk, rows[5].pk]
    with CaptureQueriesContext(connection) as queries:
        got = sorted(Order.objects.filter(pk__any_of=wanted).values_list("pk", flat=True))
    assert got == sorted(wanted)
    assert list(Order.objects.filter(pk__any_of=[])) == []
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries[0]["sql"]


def test_insert_per_id_writes_one_row_per_id_with_the_shared_values(db, buyer, merchant):
    store, sku = store_with_sku()
    rows = orders(store, sku, buyer, 3)
    now = timezone.now()
    ids = [row.pk for row in rows]
    with CaptureQueriesContext(connection) as queries:
        insert_per_id(OrderEvent, "order", ids, from_status="paid", to_status="cancelled",
                      actor=merchant, at=now, data={"k": 1},
                      **reason_fields(R("not_paid_in_time")))
    assert len(queries) == 1
    events = list(OrderEvent.objects.filter(order_id__in=ids).order_by("order_id"))
    assert [event.order_id for event in events] == sorted(ids)
    for event in events:
        assert (event.from_status, event.to_status, event.actor_id, event.at, event.data) == (
            "paid", "cancelled", merchant.pk, now, {"k": 1})
        assert event.reason_code == "shop.not_paid_in_time" and event.reason == ""
    insert_per_id(OrderEvent, "order", [])
    assert OrderEvent.objects.filter(order_id__in=ids).count() == 3
