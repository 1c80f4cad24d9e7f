"""Ordinary order placement on one hot SKU, against PostgreSQL.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_orders python bench/order_path.py``
(the database is created and migrated if needed; every run adds its own store and SKU).

For each N in ``--clients`` (default 1, 8, 64), for ``--seconds`` each, every client
ordering one unit of the same SKU again and again:

(a) raw: the SQL statements one order makes inside its transaction (recorded from a real
    ``order_place``), replayed with psycopg by N connections, each order a new row;
(b) service: ``shop.services.orders.order_place`` called in a loop by N processes;
(c) HTTP: ``POST /api/buyer/orders/`` under gunicorn on loopback by N keep-alive clients.

It prints orders/s, p50/p99 latency, (b)/(a) and (c)/(a), the load average around each
run, and checks after each run that the stock taken equals the units ordered."""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import multiprocessing
import os
import secrets
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_orders")
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 40)
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from bench.flash_sale import _ensure_database, _pct, start_gunicorn  # noqa: E402

ADDRESS = {"name": "王老铁", "phone": "13800138000", "province": "北京市", "city": "北京市",
           "district": "海淀区", "detail": "上地十街10号"}
ORDER_ID_BASE = 70_000_000  # so the recorded order id is told apart from other numbers
BUYER_ID_BASE = 60_000_000
STOCK = 10**9
BUYERS = 64


def setup_django():
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


class World:
    """One open store with one listed product of one SKU (a large stock), and buyers."""

    def __init__(self, tag: str):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.db import connection
        from rest_framework.authtoken.models import Token

        from common import roles
        from tests.factories import ProductFactory, SkuFactory, StoreFactory, UserFactory

        roles.sync_role_groups()
        User = get_user_model()  # noqa: N806
        with connection.cursor() as cursor:  # distinctive ids (see ORDER_ID_BASE)
            for seq, base in (("auth_user_id_seq", BUYER_ID_BASE),
                              ("shop_order_id_seq", ORDER_ID_BASE)):
                cursor.execute(f"SELECT last_value FROM {seq}")  # noqa: S608
                if cursor.fetchone()[0] < base:
                    cursor.execute("SELECT setval(%s, %s)", [seq, base])
        merchant = UserFactory(username=f"bench-om-{tag}", role=roles.MERCHANT)
        store = StoreFactory(merchant=merchant, slug=f"bench-o-{tag}", name=f"下单 {tag}")
        product = ProductFactory(store=store, title=f"下单 {tag}")
        self.sku = SkuFactory(product=product, stock=STOCK)
        users = User.objects.bulk_create(
            User(username=f"bench-o-{tag}-{i}", password="!") for i in range(BUYERS))
        Group.objects.get(name=roles.BUYER).user_set.add(*users)
        self.buyers = users
        self.tokens = [t.key for t in Token.objects.bulk_create(
            Token(user=u, key=secrets.token_hex(20)) for u in users)]

    def check(self) -> int:
        """Stock taken == units ordered (every order is still awaiting payment)."""
        from django.db.models import Sum

        from shop.models import OrderLine, Sku

        stock = Sku.objects.get(pk=self.sku.pk).stock
        ordered = (OrderLine.objects.filter(sku=self.sku).aggregate(n=Sum("quantity"))["n"]
                   or 0)
        assert STOCK - stock == ordered, f"stock taken {STOCK - stock} != ordered {ordered}"
        return ordered


# --- (a) raw ------------------------------------------------------------------------------
def record_order(world: World) -> tuple[list, int, int, str]:
    """The statements one order runs inside its transaction, with the values that change
    from one order to the next (order id, buyer id, order number)."""
    from django.db import connection

    from shop.services.orders import order_place

    recorded = []

    def spy(execute, sql, params, many, context):
        if connection.in_atomic_block:
            recorded.append((sql, params))
        return execute(sql, params, many, context)

    buyer = world.buyers[0]
    # the settings the order path reads are cached after the first order
    order_place(actor=buyer, address=ADDRESS, items=[{"sku": world.sku.pk, "quantity": 1}])
    with connection.execute_wrapper(spy):
        order = order_place(actor=buyer, address=ADDRESS,
                            items=[{"sku": world.sku.pk, "quantity": 1}])
    return recorded, order.pk, buyer.pk, order.number


class _RefusedError(Exception):
    pass


def _threads(n: int, seconds: float, make_buy):
    """n threads call their buy() until the time is up; (orders/s, sorted latencies)."""
    latencies: list[list[float]] = [[] for _ in range(n)]
    barrier = threading.Barrier(n + 1)
    errors: list[BaseException] = []
    stop = [0.0]

    def worker(i):
        try:
            buy = make_buy(i)
            barrier.wait()
            while time.perf_counter() < stop[0]:
                t0 = time.perf_counter()
                if buy():
                    latencies[i].append(time.perf_counter() - t0)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            errors.append(exc)
            try:
                barrier.abort()
            except threading.BrokenBarrierError:
                pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    stop[0] = time.perf_counter() + seconds
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = max(time.perf_counter() - start, 1e-9)
    if errors:
        raise errors[0]
    flat = sorted(x for row in latencies for x in row)
    return len(flat) / elapsed, flat


def run_raw(world: World, dsn: str, n: int, seconds: float, recorded):
    import psycopg

    statements, order_id, buyer_id, number = recorded
    buyers = [b.pk for b in world.buyers]
    counter = itertools.count()
    conns = []

    def make(i):
        conn = psycopg.connect(dsn)
        conns.append(conn)
        buyer = buyers[i % len(buyers)]

        def buy():
            new_number = f"R{i:03d}{next(counter):012d}{time.monotonic_ns() % 10**6:06d}"[:32]
            new_order = None
            try:
                with conn.transaction():
                    cur = conn.cursor()
                    for sql, params in statements:
                        values = []
                        for p in params or ():
                            if p == number:
                                p = new_number
                            elif p == order_id and new_order is not None:
                                p = new_order
                            elif p == buyer_id and isinstance(p, int):
                                p = buyer
                            values.append(p)
                        cur.execute(sql, values)
                        if new_order is None and sql.startswith('INSERT INTO "shop_order"'):
                            new_order = cur.fetchone()[0]
                        elif sql.startswith('UPDATE "shop_sku"') and cur.rowcount != 1:
                            raise _RefusedError
                return True
            except _RefusedError:
                return False
        return buy

    try:
        return _threads(n, seconds, make)
    finally:
        for conn in conns:
            conn.close()


# --- (b) the service, from processes --------------------------------------------------------
def _service_process(i, sku_id, buyer_id, barrier, start_at, seconds, out):
    from django.contrib.auth import get_user_model

    from common.errors import ApplicationError
    from shop.services.orders import order_place

    buyer = get_user_model().objects.get(pk=buyer_id)
    items = [{"sku": sku_id, "quantity": 1}]
    order_place(actor=buyer, address=ADDRESS, items=items)  # warm: connection, caches
    barrier.wait()
    start = start_at.value
    while time.time() < start:
        time.sleep(0.0005)
    stop = start + seconds
    latencies = []
    refused = 0
    while time.time() < stop:
        t0 = time.perf_counter()
        try:
            order_place(actor=buyer, address=ADDRESS, items=items)
        except ApplicationError:
            refused += 1
            continue
        latencies.append(time.perf_counter() - t0)
    out.put((latencies, refused))


def run_service(world: World, n: int, seconds: float):
    from django.db import connections

    connections.close_all()  # each forked process opens its own
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(n + 1)
    start_at = ctx.Value("d", 0.0)
    out = ctx.Queue()
    processes = [ctx.Process(target=_service_process, args=(
        i, world.sku.pk, world.buyers[i % len(world.buyers)].pk, barrier, start_at,
        seconds, out)) for i in range(n)]
    for p in processes:
        p.start()
    start_at.value = time.time() + 0.2 + 0.01 * n
    barrier.wait(timeout=300)
    flat = []
    for _ in processes:
        latencies, _refused = out.get(timeout=seconds + 300)
        flat.extend(latencies)
    for p in processes:
        p.join()
        if p.exitcode:
            raise RuntimeError(f"a service process exited with {p.exitcode}")
    return len(flat) / seconds, sorted(flat)


# --- (c) HTTP -------------------------------------------------------------------------------
def run_http(world: World, port: int, n: int, seconds: float):
    body = json.dumps({"items": [{"sku": world.sku.pk, "quantity": 1}],
                       "address": ADDRESS}).encode()

    def make(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        token = world.tokens[i % len(world.tokens)]

        def buy():
            conn.request("POST", "/api/buyer/orders/", body=body, headers={
                "Authorization": f"Token {token}", "Content-Type": "application/json",
                "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                raise RuntimeError(f"HTTP {response.status}")
            return True
        return buy

    return _threads(n, seconds, make)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", default="1,8,64")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--gunicorn-threads", type=int, default=8)
    parser.add_argument("--modes", default="raw,service,http")
    args = parser.parse_args()
    setup_django()

    from django.db import connection

    dsn = " ".join(f"{k}={v}" for k, v in connection.get_connection_params().items()
                   if k in ("host", "port", "user", "password", "dbname") and v)
    modes = args.modes.split(",")
    world = World(str(int(time.time())))
    recorded = record_order(world)
    print(f"one order: {len(recorded[0])} statements in its transaction", flush=True)
    for sql, _params in recorded[0]:
        print("   ", sql[:100], flush=True)
    server = start_gunicorn(args.port, args.gunicorn_workers, args.gunicorn_threads) \
        if "http" in modes else None
    rows = []
    try:
        if server is not None:  # warm every worker
            run_http(world, args.port, args.gunicorn_workers * args.gunicorn_threads, 1.0)
        for n in [int(x) for x in args.clients.split(",")]:
            row = {"n": n, "load": os.getloadavg()[0]}
            for mode in modes:
                if mode == "raw":
                    rate, lat = run_raw(world, dsn, n, args.seconds, recorded)
                elif mode == "service":
                    rate, lat = run_service(world, n, args.seconds)
                else:
                    rate, lat = run_http(world, args.port, n, args.seconds)
                row[mode] = (rate, _pct(lat, 0.5), _pct(lat, 0.99))
                world.check()
            row["load_after"] = os.getloadavg()[0]
            rows.append(row)
            parts = [f"N={n:3d}"]
            for mode in modes:
                rate, p50, p99 = row[mode]
                ratio = f" ({mode}/raw {rate / row['raw'][0]:.2f})" \
                    if "raw" in row and mode != "raw" else ""
                parts.append(f"{mode} {rate:7.1f}/s p50 {p50:5.0f} ms p99 {p99:5.0f} ms{ratio}")
            parts.append(f"load {row['load']:.1f}→{row['load_after']:.1f}")
            print("  ".join(parts), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    ordered = world.check()
    print(f"check: stock taken == units ordered == {ordered}", flush=True)
    print("\n| N | (a) raw /s | (a) p50 | (a) p99 | (b) service /s | (b)/(a) | (b) p50 | "
          "(b) p99 | (c) HTTP /s | (c)/(a) | (c) p50 | (c) p99 | load |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for row in rows:
        cells = [str(row["n"])]
        base = row.get("raw", (float("nan"),))[0]
        for mode in ("raw", "service", "http"):
            if mode not in row:
                cells += ["–"] * (3 if mode == "raw" else 4)
                continue
            rate, p50, p99 = row[mode]
            cells.append(f"{rate:,.1f}")
            if mode != "raw":
                cells.append(f"{rate / base:.2f}")
            cells += [f"{p50:,.0f} ms", f"{p99:,.0f} ms"]
        cells.append(f"{row['load']:.1f}–{row['load_after']:.1f}")
        print("| " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
