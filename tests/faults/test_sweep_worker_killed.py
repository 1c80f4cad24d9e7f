"""The deadline worker killed in the middle of a sweep and started again: every due clock
fires exactly once.

The sweeps run in a separate process (tests/faults/sweep_worker.py: every sweep registered
with common.deadlines, in batches of ten) against this test's PostgreSQL database. The
first run is SIGKILLed while a batch of the order-cancelling sweep is written but not
committed; the second is SIGKILLed inside the money-moving after-sale auto-approval; the
third runs to the end; then `manage.py enforce_deadlines` — the worker's own entry point —
finds nothing left to do."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from disputes.models import AfterSaleEvent, AfterSaleRequest
from payments.models import Payment
from shop.models import Order, OrderEvent, Sku
from tests.concurrency import postgres_only
from tests.disputes.aftersale_factories import open_request, paid_order, sku_for
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    place,
    store_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

ROOT = Path(__file__).resolve().parents[2]
WORKER = ROOT / "tests" / "faults" / "sweep_worker.py"
UNPAID = 45  # five batches of ten: the kill lands in the fourth
REFUND_ONLY = 25  # three batches: the kill lands in the second


def _env():
    db = connection.settings_dict
    url = (f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    return {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "fault-test-" + "x" * 50}


def _open_transactions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%%'")
        return cursor.fetchone()[0]


def _run_until_stalled(now, sweep, batch):
    """Start the worker, wait until it hangs inside the given batch, SIGKILL it, and wait
    until PostgreSQL has rolled its open transaction back."""
    proc = subprocess.Popen(
        [sys.executable, str(WORKER), now.isoformat(), sweep, str(batch)], cwd=ROOT,
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("STALLED"):
                break
        else:
            raise AssertionError(f"the worker never stalled: {lines} {proc.stderr.read()}")
        assert _open_transactions() == 1  # the stalled batch, written but not committed
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    deadline = time.monotonic() + 30
    while _open_transactions():
        assert time.monotonic() < deadline, "the killed worker's transaction stayed open"
        time.sleep(0.1)
    return lines


def _run_to_the_end(now) -> dict[str, int]:
    out = subprocess.run([sys.executable, str(WORKER), now.isoformat()], cwd=ROOT, env=_env(),
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert out.rstrip().endswith("DONE"), out
    return {line.split()[1]: int(line.split()[2]) for line in out.splitlines()
            if line.startswith("SWEPT")}


def _cancelled():
    return Order.objects.filter(status=Order.Status.CANCELLED).count()


def test_every_due_clock_fires_once_across_killed_workers(buyer, merchant):
    store = store_for(merchant)
    start = timezone.now() - timedelta(days=5)
    with time_machine.travel(start, tick=False):
        skus = [sku_for(store, price="10.00", stock=100) for _ in range(3)]
        unpaid = [place(buyer, skus[i % 3], quantity=1 + i % 2) for i in range(UNPAID)]
        requests = [open_request(paid_order(buyer, sku_for(store, price="30.00")),
                                 kind="refund_only", reason="no_reason")
                    for _ in range(REFUND_ONLY)]
    taken = {sku.pk: 100 - Sku.objects.get(pk=sku.pk).stock for sku in skus}
    assert sum(taken.values()) == sum(1 + i % 2 for i in range(UNPAID))
    now = start + timedelta(days=4)

    # Killed in the fourth batch of cancellations: three batches stay done, the fourth is
    # rolled back with its stock release.
    _run_until_stalled(now, "orders.cancel_unpaid", 4)
    assert _cancelled() == 30
    assert AfterSaleRequest.objects.filter(status="refunded").count() == 0

    # Started again and killed in the second batch of auto-approvals (refunds): the
    # cancellations finish, ten requests are refunded, the ten in flight are not.
    _run_until_stalled(now, "aftersale.auto_approve", 2)
    assert _cancelled() == UNPAID
    assert AfterSaleRequest.objects.filter(status="refunded").count() == 10
    assert Payment.objects.filter(kind="refund").count() == 10

    # Started again, runs to the end; the moves it reports are what was left.
    moved = _run_to_the_end(now)
    assert moved["orders.cancel_unpaid"] == 0
    assert moved["aftersale.auto_approve"] == REFUND_ONLY - 10

    # Every clock fired once: one cancellation event per order, stock back exactly, one
    # refund (and one event) per request.
    assert _cancelled() == UNPAID
    cancellations = Counter(OrderEvent.objects.filter(to_status="cancelled")
                            .values_list("order_id", flat=True))
    assert sorted(cancellations) == sorted(o.pk for o in unpaid)
    assert set(cancellations.values()) == {1}
    assert {sku.pk: Sku.objects.get(pk=sku.pk).stock for sku in skus} == {
        sku.pk: 100 for sku in skus}
    assert AfterSaleRequest.objects.filter(status="refunded").count() == REFUND_ONLY
    refunds = Counter(Payment.objects.filter(kind="refund").values_list("subject_id",
                                                                       flat=True))
    assert len(refunds) == REFUND_ONLY and set(refunds.values()) == {1}
    assert sorted(refunds) == sorted(str(r.pk) for r in requests)
    assert Payment.objects.filter(kind="refund", status="succeeded").count() == REFUND_ONLY
    refunded_events = Counter(AfterSaleEvent.objects.filter(to_status="refunded")
                              .values_list("request_id", flat=True))
    assert set(refunded_events.values()) == {1} and len(refunded_events) == REFUND_ONLY
    missed = Counter(AfterSaleEvent.objects.filter(request__in=requests,
                                                   reason_code__endswith="contact_missed")
                     .values_list("request_id", flat=True))
    assert set(missed.values()) == {1} and len(missed) == REFUND_ONLY

    # The worker's own entry point, run once more, has nothing left to move.
    out = subprocess.run([sys.executable, "manage.py", "enforce_deadlines"], cwd=ROOT,
                         env=_env(), capture_output=True, text=True, timeout=300,
                         check=True).stdout
    assert "Done: 0 moved." in out, out
