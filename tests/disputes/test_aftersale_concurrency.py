"""The sweeps and the people at the same time, on PostgreSQL: every due request moves once,
money moves once, a second run changes nothing."""

from datetime import timedelta

import pytest

from disputes import services, sweeps
from disputes.models import AfterSaleEvent, AfterSaleRequest
from payments.models import Payment
from tests.concurrency import postgres_only, run_threads
from tests.disputes.aftersale_factories import (
    START,
    fresh,
    open_request,
    paid_order,
    signed_order,
    sku_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def _many_due(buyer, merchant, store, return_address):
    refund_only = [open_request(paid_order(buyer, sku_for(store)), kind="refund_only",
                                reason="no_reason") for _ in range(6)]
    to_close = []
    for _ in range(4):
        r = open_request(signed_order(buyer, sku_for(store)), kind="return_refund")
        services.after_sale_request_approve(request=r, actor=merchant, return_required=True)
        to_close.append(r)
    return refund_only, to_close


def test_sweeps_running_concurrently_move_each_request_once(travel, buyer, merchant, store,
                                                            return_address):
    travel(START)
    refund_only, to_close = _many_due(buyer, merchant, store, return_address)
    later = START + timedelta(days=11)
    events_before = AfterSaleEvent.objects.count()

    results, errors = run_threads(6, lambda i: sweeps.run_all(later))
    assert errors == []
    moved = {name: sum(r[name] for r in results) for name in results[0]}
    assert moved["auto_approve"] == 6 and moved["auto_close"] == 4
    assert moved["contact_missed"] == 6  # the refund-only requests were never contacted
    assert all(fresh(r).status == "refunded" for r in refund_only)
    assert all(fresh(r).status == "closed" for r in to_close)
    assert Payment.objects.filter(kind="refund").count() == 6  # free shipping: goods only
    assert AfterSaleEvent.objects.filter(to_status="refunded").count() == 6
    assert AfterSaleEvent.objects.filter(to_status="closed").count() == 4
    events_after = AfterSaleEvent.objects.count()
    # A second run, also concurrent, changes nothing.
    results, errors = run_threads(4, lambda i: sweeps.run_all(later))
    assert errors == [] and all(sum(r.values()) == 0 for r in results)
    assert AfterSaleEvent.objects.count() == events_after > events_before


def test_merchant_and_clock_racing_on_one_request_refund_once(travel, buyer, merchant, store):
    travel(START)
    request = open_request(paid_order(buyer, sku_for(store)), kind="refund_only",
                           reason="no_reason")
    due = START + timedelta(hours=72)

    def race(i):
        if i % 2:
            return sweeps.auto_approve(due)
        return services.after_sale_request_approve(request=request, actor=merchant,
                                                   return_required=False, now=due).pk

    results, errors = run_threads(6, race)
    assert fresh(request).status == "refunded"
    assert Payment.objects.filter(kind="refund", idempotency_key__startswith="aftersale:"
                                  f"{request.pk}:").count() == 1
    assert AfterSaleEvent.objects.filter(request=request, to_status="refunded").count() == 1
    assert set(errors) <= {"finished", "wrong_status"}


def test_two_opens_on_one_line_leave_one_request(travel, buyer, store):
    travel(START)
    order = signed_order(buyer, sku_for(store))

    results, errors = run_threads(6, lambda i: open_request(order, kind="refund_only",
                                                            amount="10").pk)
    assert len(results) == 1 and errors == ["already_open"] * 5
    assert AfterSaleRequest.objects.filter(order=order).count() == 1
