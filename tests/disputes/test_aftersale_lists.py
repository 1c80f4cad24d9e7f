"""The request lists order by stored, indexed columns (next_deadline, finished) that the
transition service and the sweeps keep; the data migration fills them for existing rows.
(conftest's _list_columns_follow_the_clocks checks the columns after every test.)"""

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection

from disputes import rules, selectors, services, sweeps
from disputes.models import AfterSaleRequest
from tests.disputes.aftersale_factories import (
    START,
    fresh,
    open_request,
    paid_order,
    signed_order,
    sku_for,
)

pytestmark = pytest.mark.django_db
D = timedelta


def test_next_deadline_is_the_nearest_clock():
    t = START
    assert rules.next_deadline({}) is None
    assert rules.next_deadline({name: None for name in rules.CLOCKS}) is None
    assert rules.next_deadline({"review_by": t + D(hours=72), "contact_by": t + D(hours=36),
                                "refusal_refund_by": None}) == t + D(hours=36)
    assert rules.next_deadline({"agent_handle_by": t, "status": "x"}) == t


def test_the_stored_deadline_follows_each_move(travel, buyer, merchant, sku, return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund")
    assert fresh(request).next_deadline == START + D(hours=36) and not fresh(request).finished
    travel(START + D(hours=1))
    services.after_sale_request_contact(request=request, actor=merchant, message="您好")
    assert fresh(request).next_deadline == START + D(hours=72)  # contact clock stopped
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    assert fresh(request).next_deadline == START + D(hours=1, days=3)
    assert sweeps.auto_close(START + D(days=11)) == 1  # a batch move
    request = fresh(request)
    assert request.status == "closed" and request.finished and request.next_deadline is None


def test_lists_put_open_requests_first_by_the_stored_deadline(travel, buyer, merchant, store):
    travel(START)
    first = open_request(signed_order(buyer, sku_for(store)))
    travel(START + D(hours=1))
    second = open_request(signed_order(buyer, sku_for(store)))
    done = open_request(signed_order(buyer, sku_for(store)))
    services.after_sale_request_cancel(request=done, actor=buyer)
    # Nearest clock first (not the newest first), finished ones last.
    expected = [first.pk, second.pk, done.pk]
    assert [r.pk for r in selectors.requests_for_merchant(merchant)] == expected
    assert [r.pk for r in selectors.requests_for_buyer(buyer)] == expected
    open_only = selectors.request_filter(selectors.requests_for_merchant(merchant),
                                         status="open")
    assert [r.pk for r in open_only] == [first.pk, second.pk]
    travel(START + D(hours=2))
    services.after_sale_request_contact(request=first, actor=merchant, message="您好")
    # first's nearest clock is now the 72 h review: second comes first.
    assert [r.pk for r in selectors.requests_for_merchant(merchant)] == [second.pk, first.pk,
                                                                         done.pk]


def _plan(qs) -> str:
    sql, params = qs[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Tiny test tables: make the planner show whether an index can give the order.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.parametrize("who", ["merchant", "merchant_open", "buyer"])
def test_list_order_is_read_from_an_index_not_sorted(travel, buyer, merchant, store, who):
    travel(START)
    for _ in range(3):
        open_request(signed_order(buyer, sku_for(store)))
    if who == "buyer":
        qs, index = selectors.requests_for_buyer(buyer), "aftersale_buyer_next_deadline"
    else:
        qs, index = selectors.requests_for_merchant(merchant), "aftersale_store_next_deadline"
        if who == "merchant_open":
            qs = selectors.request_filter(qs, status="open")
    plan = _plan(qs)
    assert index in plan, plan
    if connection.vendor == "postgresql":
        # Only the last tie-breaker (pk) may be sorted, within equal index keys.
        assert not re.search(r"^\s*(->\s*)?Sort\s+\(cost", plan, re.MULTILINE), plan
    else:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan


def test_the_data_migration_fills_the_list_columns(travel, buyer, merchant, store, agent,
                                                   return_address):
    travel(START)
    pending = open_request(paid_order(buyer, sku_for(store)), kind="refund_only",
                           reason="no_reason")
    returning = open_request(signed_order(buyer, sku_for(store)), kind="return_refund")
    services.after_sale_request_approve(request=returning, actor=merchant, return_required=True)
    escalated = open_request(signed_order(buyer, sku_for(store)))
    services.after_sale_request_escalate(request=escalated, actor=buyer, reason="x")
    cancelled = open_request(signed_order(buyer, sku_for(store)))
    services.after_sale_request_cancel(request=cancelled, actor=buyer)
    expected = {r.pk: (r.next_deadline, r.finished) for r in AfterSaleRequest.objects.all()}
    AfterSaleRequest.objects.update(next_deadline=START - D(days=1), finished=False)
    migration = importlib.import_module(
        "disputes.migrations.0003_fill_next_deadline_and_refusal_intake")
    migration.fill(apps, None)
    got = {r.pk: (r.next_deadline, r.finished) for r in AfterSaleRequest.objects.all()}
    assert got == expected
    assert got[pending.pk] == (START + D(hours=36), False)
    assert got[returning.pk] == (START + D(days=3), False)
    assert got[escalated.pk] == (START + D(hours=48), False)
    assert got[cancelled.pk] == (None, True)
