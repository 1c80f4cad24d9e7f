"""Do the deadline sweeps run near raw SQL, independent of the table's size, and exactly
once when two run at the same time?

Run on a database filled by ``bench/datagen.py``::

    DATABASE_URL=postgres://…/bench python bench/sweeps.py [--scale 1.0]

1. 100,000 due unpaid orders (one line each) cancelled by the sweep
   (``shop.sweeps.cancel_unpaid_orders``), then another 100,000 by a raw psycopg loop
   issuing the same SQL — ``SELECT … ORDER BY pay_by, id LIMIT 500 FOR UPDATE SKIP
   LOCKED``, the UPDATE, the INSERT of the events, the stock given back, COMMIT — in the
   same run. Ratio = raw time ÷ sweep time (target ≥ 0.6).
2. 1,000 due orders among 1,000,000 unpaid ones not yet due, against 1,000 among 1,000
   (the sweep's time should not grow with the rows that are not due: ≤ 1.5×).
3. Two processes start the unpaid-cancel and the auto-complete sweeps at the same moment
   over 20,000 due orders of each kind: no order gets two events, no completed order two
   settlement entries in the store-account ledger.

Prints the peak memory (RSS high-water) of this process (the worker's sweeps ran in it)
and of the two sweeping processes. The rows it adds belong to the store of ``bench_m3``
(numbers starting "S"); they are left in place. Exits 1 when a target is missed."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.datagen import insert_select  # noqa: E402
from bench.memory import children_peak_rss_mib, peak_rss_mib  # noqa: E402
from shop.sweeps import cancel_unpaid_orders, complete_signed_orders  # noqa: E402

RATIO_TARGET = 0.6
GROWTH_TARGET = 1.5
BATCH = 500
STORE_OWNER = "bench_m3"


def store_and_sku() -> tuple[int, int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, k.id, s.merchant_id FROM shop_store s JOIN auth_user u "
            "ON u.id = s.merchant_id JOIN shop_product p ON p.store_id = s.id "
            "JOIN shop_sku k ON k.product_id = p.id WHERE u.username = %s ORDER BY k.id LIMIT 1",
            [STORE_OWNER])
        row = cursor.fetchone()
    if row is None:
        raise SystemExit("no bench data: run bench/datagen.py on this database first")
    return row


def buyer_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'bench_buyer%%'")
        return cursor.fetchone()[0]


def add_orders(tag: str, count: int, *, status: str, clock: str, offset: str,
               lines: bool = True) -> None:
    """`count` orders of the bench store in `status` whose `clock` is now + offset."""
    store, sku, _merchant = store_and_sku()
    created = "now() - interval '3 days' - (g || ' seconds')::interval"
    values = {
        "created_at": created, "updated_at": "now()", "number": f"'S{tag}x' || g",
        "status": f"'{status}'", "goods_amount": "59.00", "shipping_fee": "0",
        "discount_amount": "0", "total_amount": "59.00",
        "paid_amount": "0" if status == "pending_payment" else "59.00",
        "refunded_amount": "0", "address": "'{\"name\": \"S\"}'::jsonb",
        clock: f"now() + interval '{offset}' - (g || ' milliseconds')::interval",
        "buyer_id": str(buyer_id()), "store_id": str(store),
    }
    if status != "pending_payment":
        values.update(paid_at=created, shipped_at=created, signed_at=created)
    insert_select("shop_order", values, f"generate_series(1, {count}) g")
    if lines:
        insert_select("shop_orderline", {
            "title": "'Bench product'", "attributes": "'{}'::jsonb", "unit_price": "59.00",
            "quantity": "1", "amount": "59.00", "paid_amount": "o.paid_amount",
            "refunded_amount": "0", "supports_seven_day_return": "true", "order_id": "o.id",
            "product_id": f"(SELECT product_id FROM shop_sku WHERE id = {sku})",
            "sku_id": str(sku),
        }, f"shop_order o WHERE o.number LIKE 'S{tag}x%'")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE shop_order")
        cursor.execute("ANALYZE shop_orderline")


def clear_due() -> int:
    """Cancel what is already due (the generated data has old unpaid orders)."""
    return cancel_unpaid_orders(timezone.now(), batch_size=2000)


def raw_cancel_loop(dsn: str, now, batch: int = BATCH) -> int:
    """The same work as the sweep, as raw statements with psycopg."""
    moved = 0
    with psycopg.connect(dsn) as conn:
        while True:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute(
                    "SELECT id FROM shop_order WHERE status = 'pending_payment' AND pay_by <= %s "
                    "ORDER BY pay_by, id LIMIT %s FOR UPDATE SKIP LOCKED", [now, batch])
                ids = [row[0] for row in cur.fetchall()]
                if not ids:
                    return moved
                cur.execute(
                    "UPDATE shop_order SET status = 'cancelled', updated_at = %s, "
                    "cancelled_at = %s, pay_by = NULL WHERE id = ANY(%s) "
                    "AND status = 'pending_payment'", [now, now, ids])
                cur.execute(
                    "INSERT INTO shop_orderevent (order_id, from_status, to_status, reason, "
                    "reason_code, reason_params, at, data, actor_id) SELECT unnest(%s::bigint[]),"
                    " 'pending_payment', 'cancelled', '', 'not_paid_in_time', '{}'::jsonb, %s,"
                    " '{}'::jsonb, NULL", [ids, now])
                cur.execute(
                    "UPDATE shop_sku s SET stock = s.stock + l.qty FROM (SELECT sku_id, "
                    "sum(quantity) AS qty FROM shop_orderline WHERE order_id = ANY(%s) "
                    "AND stock_held_by = '' GROUP BY sku_id) l WHERE s.id = l.sku_id", [ids])
                moved += len(ids)
            if len(ids) < batch:
                return moved


def dsn() -> str:
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(
        dbname=db["NAME"], user=db["USER"] or None, password=db["PASSWORD"] or None,
        host=db["HOST"] or None, port=str(db["PORT"]) if db["PORT"] else None)


def timed(func, *args, **kwargs) -> tuple[float, int]:
    start = time.perf_counter()
    moved = func(*args, **kwargs)
    return time.perf_counter() - start, moved


def _sweep_process(start_at: float, queue) -> None:
    connections.close_all()
    while time.time() < start_at:
        time.sleep(0.001)
    now = timezone.now()
    moved = cancel_unpaid_orders(now) + complete_signed_orders(now)
    queue.put((os.getpid(), moved, peak_rss_mib()))
    connections.close_all()


def duplicates(tag: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT e.order_id, e.to_status FROM shop_orderevent e "
            "JOIN shop_order o ON o.id = e.order_id WHERE o.number LIKE %s "
            "GROUP BY e.order_id, e.to_status HAVING count(*) > 1) d", [f"S{tag}%"])
        events = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM (SELECT a.order_id, a.kind FROM shop_storeaccountentry a "
            "JOIN shop_order o ON o.id = a.order_id WHERE o.number LIKE %s "
            "GROUP BY a.order_id, a.kind HAVING count(*) > 1) d", [f"S{tag}%"])
        ledger = cursor.fetchone()[0]
    return events, ledger


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("the sweep benchmark needs PostgreSQL: set DATABASE_URL=postgres://…",
              file=sys.stderr)
        return 2
    due_n = max(1000, int(100_000 * args.scale))
    quiet_n = max(10_000, int(1_000_000 * args.scale))
    run = time.strftime("%H%M%S")
    ok = True
    print(f"already due before the run, cleared first: {clear_due():,} orders")

    # 1. the sweep against the raw loop
    add_orders(f"{run}a", due_n, status="pending_payment", clock="pay_by", offset="-1 hour")
    sweep_s, sweep_moved = timed(cancel_unpaid_orders, timezone.now())
    add_orders(f"{run}b", due_n, status="pending_payment", clock="pay_by", offset="-1 hour")
    raw_s, raw_moved = timed(raw_cancel_loop, dsn(), timezone.now())
    ratio = raw_s / sweep_s
    ok &= ratio >= RATIO_TARGET and sweep_moved == due_n and raw_moved == due_n
    print(f"\n1. {due_n:,} due unpaid orders, batches of the sweep's size")
    print(f"   sweep (cancel_unpaid_orders)  {sweep_s:7.2f} s  {sweep_moved / sweep_s:>9,.0f} rows/s"
          f"  moved {sweep_moved:,}")
    print(f"   raw psycopg loop              {raw_s:7.2f} s  {raw_moved / raw_s:>9,.0f} rows/s"
          f"  moved {raw_moved:,}")
    print(f"   ratio raw ÷ sweep time {ratio:.2f} (target ≥ {RATIO_TARGET})")

    # 2. 1,000 due among many not due, against among few
    few_n = 1000
    add_orders(f"{run}c", few_n, status="pending_payment", clock="pay_by", offset="1 day",
               lines=False)
    add_orders(f"{run}d", 1000, status="pending_payment", clock="pay_by", offset="-1 hour")
    small_s, small_moved = timed(cancel_unpaid_orders, timezone.now())
    add_orders(f"{run}e", quiet_n - few_n, status="pending_payment", clock="pay_by",
               offset="1 day", lines=False)
    add_orders(f"{run}f", 1000, status="pending_payment", clock="pay_by", offset="-1 hour")
    big_s, big_moved = timed(cancel_unpaid_orders, timezone.now())
    growth = big_s / small_s
    ok &= growth <= GROWTH_TARGET and small_moved == big_moved == 1000
    print(f"\n2. 1,000 due among {quiet_n:,} unpaid orders not yet due: {big_s * 1000:.0f} ms;"
          f" among {few_n:,}: {small_s * 1000:.0f} ms; ratio {growth:.2f}"
          f" (target ≤ {GROWTH_TARGET})")
    with connection.cursor() as cursor:  # the not-yet-due rows must not become due later
        cursor.execute("UPDATE shop_order SET status = 'cancelled', pay_by = NULL "
                       "WHERE number LIKE %s OR number LIKE %s", [f"S{run}c%", f"S{run}e%"])

    # 3. two sweeps at once
    race_n = max(1000, int(20_000 * args.scale))
    add_orders(f"{run}g", race_n, status="pending_payment", clock="pay_by", offset="-1 hour")
    add_orders(f"{run}h", race_n, status="signed", clock="complete_by", offset="-1 hour")
    connections.close_all()
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    start_at = time.time() + 1.0
    workers = [context.Process(target=_sweep_process, args=(start_at, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    events, ledger = duplicates(run)
    moved = sum(r[1] for r in results)
    ok &= events == 0 and ledger == 0 and moved == 2 * race_n
    print(f"\n3. two sweeps at once over {race_n:,} due unpaid + {race_n:,} due signed orders:"
          f" moved {' + '.join(str(r[1]) for r in results)} = {moved:,} (expected"
          f" {2 * race_n:,}); orders with a duplicate event: {events}; duplicate ledger"
          f" entries: {ledger}")

    print(f"\npeak memory (RSS high-water): this process (sweeps as the worker runs them)"
          f" {peak_rss_mib():.0f} MiB; each concurrent sweep process"
          f" {', '.join(f'{r[2]:.0f}' for r in results)} MiB"
          f" (children's max {children_peak_rss_mib():.0f} MiB)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
