"""A bounded load test of mixed buyer traffic against gunicorn + PostgreSQL, on loopback.

Run: ``python bench/load.py --seconds 300`` (or ``make bench-load``). It

1. creates a fresh PostgreSQL database (``bench_load_<pid>`` on the server of
   ``--database-url``, default ``postgres://postgres@127.0.0.1:5432/``), migrates it, loads
   the demo data, tops up the stock, makes BUYERS buyer accounts with API tokens, a flash
   sale with little stock and a per-buyer limit, and two coupons with fewer coupons than
   buyers want;
2. starts gunicorn as production runs it (config/gunicorn.py, DEBUG off) on a free port;
3. lets BUYERS threads, each one buyer with its own HTTP connection, send a mix of requests
   through the real buyer REST API for ``--seconds`` seconds or ``--max-requests`` requests,
   whichever comes first: browse the catalogue, a store and the flash sales; place an
   order and pay it (the sandbox provider's signed callback); flash-buy; list and claim
   coupons; open an after-sale request on a paid order;
4. prints p50/p95/p99 latency per endpoint and overall, requests per second and the status
   codes per endpoint (4xx are expected: sold out, limits reached, coupons gone; 5xx are
   not, and fail the run);
5. checks the database against what the clients saw: every order a client was told about
   (201) exists once, for that buyer, and no other order exists; the stock taken from each
   SKU equals the units ordered from it, flash stock sold equals the flash units ordered and
   never exceeds the flash stock, nobody passed the flash limit; coupon claims equal the
   claims the clients were given and never exceed a coupon's quantity or per-buyer limit;
   after-sale requests equal the ones opened, one per line at most.

Exit status 0 only when there were no 5xx and every check held. The database is dropped
afterwards unless ``--keep-db``. The figures are for reading; compare runs on one machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")

BUYERS = 24
SECONDS = 300.0
MAX_REQUESTS = 1_000_000
STOCK = 1_000_000
FLASH_STOCK = 60  # per flash SKU: sells out during the run
FLASH_LIMIT = 3
COUPONS = ((20, 1), (40, 2))  # (quantity, per-buyer limit): fewer than the buyers want
START_TIMEOUT = 90.0
REQUEST_TIMEOUT = 60.0
ADDRESS = {
    "name": "张三", "phone": "13800138000", "province": "上海市", "city": "上海市",
    "district": "浦东新区", "detail": "世纪大道 1 号",
}
# What a buyer does next, and how often.
MIX = (("browse", 40), ("order", 25), ("flash", 15), ("coupon", 10), ("after_sale", 10))

# Run inside `manage.py shell` before the server starts.
SETUP = """
import json
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.authtoken.models import Token

from common import roles
from common.money import to_money
from promotions.models import Coupon, FlashSale, FlashSaleItem
from promotions.services.coupons import coupon_create
from promotions.services.flash_sales import flash_sale_create, flash_sale_start
from shop.models import Product, Sku, Store

BUYERS, STOCK, FLASH_STOCK, FLASH_LIMIT, COUPONS = %(params)s
now = timezone.now()
Sku.objects.filter(is_active=True).update(stock=STOCK)
roles.sync_role_groups()
group = Group.objects.get(name=roles.BUYER)
tokens = {}
for i in range(BUYERS):
    user, _ = get_user_model().objects.get_or_create(username=f"load_buyer_{i}")
    user.groups.add(group)
    tokens[user.username] = Token.objects.get_or_create(user=user)[0].key

# A flash sale of its own on a listed product of another store than the demo's sale.
busy = set(FlashSale.objects.values_list("product_id", flat=True))
product = (Product.objects.filter(kind=Product.Kind.OWN, status=Product.Status.LISTED)
           .exclude(pk__in=busy).order_by("-store__merchant__username", "pk").first())
skus = list(product.skus.filter(is_active=True).order_by("pk"))
sale = flash_sale_create(
    store=product.store, actor=product.store.merchant, product=product,
    items=[{"sku": s.pk, "flash_price": to_money(s.price * Decimal("0.5")),
            "stock": FLASH_STOCK} for s in skus],
    per_buyer_limit=FLASH_LIMIT, starts_at=now, duration=timedelta(hours=6),
    now=now - timedelta(seconds=1))
flash_sale_start(sale=sale, now=now)

store = Store.objects.get(merchant__username="merchant_a")
coupons = []
for n, (quantity, limit) in enumerate(COUPONS):
    coupons.append(coupon_create(store=store, actor=store.merchant, now=now, data={
        "title": f"压测券{n}", "kind": Coupon.Kind.THRESHOLD, "amount": Decimal("5.00"),
        "threshold": Decimal("50.00"), "scope": Coupon.Scope.STORE, "quantity": quantity,
        "per_buyer_limit": limit, "claim_starts_at": now - timedelta(hours=1),
        "claim_ends_at": now + timedelta(days=7), "validity": Coupon.Validity.AFTER_CLAIM,
        "valid_days": 7, "channel": Coupon.Channel.STORE_PAGE}).pk)

running = FlashSaleItem.objects.filter(sale__status=FlashSale.Status.RUNNING)
flash = sorted(running.values_list("sku_id", flat=True))
plain = sorted(
    Sku.objects.filter(is_active=True, product__kind=Product.Kind.OWN,
                       product__status=Product.Status.LISTED)
    .exclude(pk__in=flash).values_list("pk", flat=True))
print("SETUP " + json.dumps({
    "tokens": tokens, "flash": flash, "plain": plain, "coupons": coupons,
    "stores": sorted(Store.objects.filter(products__status=Product.Status.LISTED)
                     .values_list("slug", flat=True).distinct()),
    "coupon_store": store.slug,
    "stock": {str(k): v for k, v in Sku.objects.values_list("pk", "stock")},
    "sold": {str(k): v for k, v in running.values_list("sku_id", "sold")},
}))
"""

# Run inside `manage.py shell` after the run: the database against the clients' records.
CHECK = """
import json, os
from collections import Counter
from django.db.models import Sum
from promotions.models import Coupon, CouponClaim, FlashSaleBuyer, FlashSaleItem
from shop.models import Order, OrderLine, Sku
from disputes.models import AfterSaleRequest

seen = json.load(open(os.environ["LOAD_RECORD"]))
problems = []
buyers = seen["buyers"]
orders = {o: b for o, b in Order.objects.filter(buyer__username__in=buyers)
          .values_list("number", "buyer__username")}
told = seen["orders"]  # number -> buyer
if len(told) != seen["orders_told"]:
    problems.append(f"a client was told the same order number twice")
missing = sorted(set(told) - set(orders))
extra = sorted(set(orders) - set(told))
wrong = sorted(n for n in set(told) & set(orders) if told[n] != orders[n])
if missing: problems.append(f"{len(missing)} orders the clients were told about are missing")
if extra: problems.append(f"{len(extra)} orders exist that no client was told about")
if wrong: problems.append(f"{len(wrong)} orders belong to another buyer")
lines = OrderLine.objects.filter(order__number__in=list(orders))
for sku, before in seen["stock"].items():
    ordered = lines.filter(sku_id=int(sku), stock_held_by="").aggregate(n=Sum("quantity"))["n"] or 0
    now_stock = Sku.objects.get(pk=int(sku)).stock
    if int(before) - now_stock != ordered:
        problems.append(f"SKU {sku}: stock taken {int(before) - now_stock} != units ordered {ordered}")
for item in FlashSaleItem.objects.filter(sku_id__in=[int(s) for s in seen["sold"]]):
    ordered = (lines.filter(sku_id=item.sku_id).exclude(stock_held_by="")
               .aggregate(n=Sum("quantity"))["n"] or 0)
    if item.sold - seen["sold"][str(item.sku_id)] != ordered:
        problems.append(f"flash SKU {item.sku_id}: sold {item.sold} != units ordered {ordered}")
    if item.sold > item.stock:
        problems.append(f"flash SKU {item.sku_id}: sold {item.sold} > stock {item.stock}")
for row in FlashSaleBuyer.objects.select_related("sale"):
    if row.bought > row.sale.per_buyer_limit:
        problems.append(f"a buyer bought {row.bought} > limit {row.sale.per_buyer_limit}")
claims = Counter(CouponClaim.objects.filter(coupon_id__in=seen["coupons"])
                 .values_list("coupon_id", flat=True))
for coupon in Coupon.objects.filter(pk__in=seen["coupons"]):
    if claims[coupon.pk] > coupon.quantity or coupon.claimed != claims[coupon.pk]:
        problems.append(f"coupon {coupon.pk}: {claims[coupon.pk]} claims, counter {coupon.claimed}, quantity {coupon.quantity}")
    per_buyer = Counter(CouponClaim.objects.filter(coupon=coupon).values_list("buyer_id", flat=True))
    if per_buyer and max(per_buyer.values()) > coupon.per_buyer_limit:
        problems.append(f"coupon {coupon.pk}: a buyer holds more than the limit")
if sum(claims.values()) != seen["claims"]:
    problems.append(f"{sum(claims.values())} coupon claims in the database, {seen['claims']} given to clients")
requests_ = AfterSaleRequest.objects.filter(order__number__in=list(orders))
if requests_.count() != seen["after_sales"]:
    problems.append(f"{requests_.count()} after-sale requests, {seen['after_sales']} opened by clients")
per_line = Counter(requests_.values_list("line_id", flat=True))
if per_line and max(per_line.values()) > 1:
    problems.append("two after-sale requests on one line")
paid = Order.objects.filter(number__in=list(orders), paid_at__isnull=False).count()
print("CHECK " + json.dumps({"problems": problems, "orders": len(orders), "paid": paid,
                             "units": lines.aggregate(n=Sum("quantity"))["n"] or 0,
                             "claims": sum(claims.values()),
                             "after_sales": requests_.count()}))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args, extra_env=None):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env={**env, **(extra_env or {})}, check=True,
        capture_output=True, text=True, timeout=1800,
    )


class Recorder:
    """Latencies and status codes per endpoint, and what the clients were told."""

    def __init__(self, max_requests: int):
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: dict[str, Counter] = defaultdict(Counter)
        self.max_requests = max_requests
        self.sent = 0
        self.orders: dict[str, str] = {}
        self.orders_told = 0
        self.claims = 0
        self.after_sales = 0
        self.errors: list[str] = []

    def admit(self) -> bool:
        with self.lock:
            if self.sent >= self.max_requests:
                return False
            self.sent += 1
            return True

    def record(self, label: str, status: int, seconds: float, body: bytes) -> None:
        with self.lock:
            self.latency[label].append(seconds)
            self.status[label][status] += 1
            if status >= 500 and len(self.errors) < 10:
                self.errors.append(f"{label} {status}: {body[:300]!r}")


class Buyer:
    def __init__(self, base: str, name: str, token: str, rec: Recorder, data: dict):
        self.base, self.name, self.rec, self.data = base, name, rec, data
        self.session = requests.Session()
        self.session.headers.update({"Authorization": f"Token {token}",
                                     "Accept-Language": "en"})
        self.paid: list[dict] = []  # paid orders without an after-sale request yet
        self.rng = random.Random(name)

    def call(self, label: str, method: str, path: str, body=None, headers=None,
             raw: bytes | None = None):
        if not self.rec.admit():
            raise StopIteration
        started = time.perf_counter()
        try:
            response = self.session.request(
                method, self.base + path, json=body if raw is None else None, data=raw,
                headers={"Content-Type": "application/json", **(headers or {})},
                timeout=REQUEST_TIMEOUT)
            status, payload = response.status_code, response.content
        except requests.RequestException as exc:
            status, payload = 599, str(exc).encode()  # refused or reset: a failure
        self.rec.record(label, status, time.perf_counter() - started, payload)
        try:
            return status, json.loads(payload or b"null")
        except ValueError:
            return status, None

    # --- what a buyer does -----------------------------------------------------------
    def browse(self):
        choice = self.rng.random()
        if choice < 0.5:
            self.call("GET products", "GET", "/api/buyer/products/")
        elif choice < 0.8:
            slug = self.rng.choice(self.data["stores"])
            self.call("GET store products", "GET", f"/api/buyer/stores/{slug}/products/")
        else:
            self.call("GET flash sales", "GET", "/api/buyer/flash-sales/")

    def _place(self, label: str, sku: int, quantity: int):
        status, order = self.call(label, "POST", "/api/buyer/orders/", {
            "items": [{"sku": sku, "quantity": quantity}], "address": ADDRESS})
        if status != 201:
            return None
        with self.rec.lock:
            self.rec.orders_told += 1
            self.rec.orders[order["number"]] = self.name
        return order

    def _pay(self, order):
        number = order["number"]
        status, info = self.call("POST pay", "POST", f"/api/buyer/orders/{number}/pay/")
        if status != 200 or not (info or {}).get("sandbox_callback"):
            return
        callback = info["sandbox_callback"]
        status, _ = self.call("POST payment callback", "POST", "/api/webhooks/payments/sandbox/",
                              raw=callback["body"].encode(),
                              headers={"X-Signature": callback["signature"]})
        if status == 200:
            self.paid.append(order)

    def order(self):
        order = self._place("POST order", self.rng.choice(self.data["plain"]),
                            self.rng.randint(1, 2))
        if order and self.rng.random() < 0.8:
            self._pay(order)

    def flash(self):
        order = self._place("POST order (flash)", self.rng.choice(self.data["flash"]), 1)
        if order:
            self._pay(order)

    def coupon(self):
        self.call("GET coupons", "GET", f"/api/buyer/coupons/?store={self.data['coupon_store']}")
        status, _ = self.call("POST coupon claim", "POST",
                              f"/api/buyer/coupons/{self.rng.choice(self.data['coupons'])}/claim/")
        if status == 201:
            with self.rec.lock:
                self.rec.claims += 1

    def after_sale(self):
        if not self.paid:
            return self.order()
        order = self.paid.pop(self.rng.randrange(len(self.paid)))
        status, _ = self.call("POST after-sale", "POST", "/api/buyer/after-sales/", {
            "order_number": order["number"], "line": order["lines"][0]["id"],
            "kind": "refund_only", "reason": "no_reason", "description": "压测：不想要了"})
        if status == 201:
            with self.rec.lock:
                self.rec.after_sales += 1

    def run(self, stop: threading.Event):
        actions = [name for name, weight in MIX for _ in range(weight)]
        try:
            while not stop.is_set():
                getattr(self, self.rng.choice(actions))()
        except StopIteration:
            stop.set()  # the request budget is spent


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()[-3000:]}")
        try:
            requests.get(base + "/healthz", timeout=5)  # any answer: it is serving
            return
        except requests.RequestException:
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.3)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(share * len(ordered) + 0.5)) - 1))]


def _report(rec: Recorder, seconds: float) -> int:
    rows = sorted(rec.latency)
    every = [v for label in rows for v in rec.latency[label]]
    print(f"\n{'endpoint':<24} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  status")
    for label in [*rows, "overall"]:
        values = every if label == "overall" else rec.latency[label]
        if not values:
            continue
        codes = (sum((rec.status[x] for x in rows), Counter()) if label == "overall"
                 else rec.status[label])
        print(f"{label:<24} {len(values):>8} {_percentile(values, .50) * 1000:>8.1f} "
              f"{_percentile(values, .95) * 1000:>8.1f} {_percentile(values, .99) * 1000:>8.1f}  "
              + " ".join(f"{code}:{n}" for code, n in sorted(codes.items())))
    fivexx = sum(n for label in rows for code, n in rec.status[label].items() if code >= 500)
    print(f"\n{len(every)} requests in {seconds:.1f} s = {len(every) / seconds:.1f} req/s; "
          f"5xx: {fivexx}")
    for line in rec.errors:
        print("  ", line)
    return fivexx


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--max-requests", type=int, default=MAX_REQUESTS)
    parser.add_argument("--buyers", type=int, default=BUYERS)
    parser.add_argument("--database-url", default=os.environ.get(
        "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/"))
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    server = urlparse(args.database_url)
    name = f"bench_load_{os.getpid()}"
    admin_dsn = urlunparse(server._replace(path="/postgres"))
    database_url = urlunparse(server._replace(path=f"/{name}"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    port = _free_port()
    env = {
        **os.environ, "DATABASE_URL": database_url, "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50), "SECURE_SSL_REDIRECT": "0",
        "PAYMENT_SANDBOX_ENABLED": "1", "PAYMENT_SANDBOX_SECRET": secrets.token_hex(16),
        "COURIER_SANDBOX_SECRET": secrets.token_hex(16), "MEDIA_ROOT": str(workdir / "media"),
        "HOST": "127.0.0.1", "PORT": str(port), "LOG_LEVEL": "WARNING",
    }
    env.pop("Q_REDIS_URL", None)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    proc = None
    try:
        print(f"database {name}: migrating and loading the demo data ...", flush=True)
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo", extra_env={"DEBUG": "1"})
        params = (args.buyers, STOCK, FLASH_STOCK, FLASH_LIMIT, COUPONS)
        out = _manage(env, "shell", "-c", SETUP % {"params": repr(params)}).stdout
        data = json.loads(out.split("SETUP ", 1)[1])
        log = workdir / "server.log"
        with open(log, "w") as sink:
            proc = subprocess.Popen([GUNICORN, "-c", "config/gunicorn.py",
                                     "--access-logfile", "/dev/null"], cwd=ROOT, env=env,
                                    stdout=sink, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, proc, log)
        print(f"gunicorn on {base} (WEB_WORKERS={env.get('WEB_WORKERS', 3)}, "
              f"WEB_THREADS={env.get('WEB_THREADS', 2)}); {args.buyers} buyers for "
              f"{args.seconds:g} s or {args.max_requests} requests", flush=True)

        rec = Recorder(args.max_requests)
        stop = threading.Event()
        buyers = [Buyer(base, n, t, rec, data) for n, t in data["tokens"].items()]
        threads = [threading.Thread(target=b.run, args=(stop,)) for b in buyers]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        stop.wait(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        fivexx = _report(rec, elapsed)

        record = workdir / "record.json"
        record.write_text(json.dumps({
            "buyers": list(data["tokens"]), "orders": rec.orders,
            "orders_told": rec.orders_told, "claims": rec.claims,
            "after_sales": rec.after_sales, "coupons": data["coupons"],
            "stock": data["stock"], "sold": data["sold"]}))
        out = _manage(env, "shell", "-c", CHECK, extra_env={"LOAD_RECORD": str(record)}).stdout
        check = json.loads(out.split("CHECK ", 1)[1])
        print(f"consistency: {check['orders']} orders ({check['paid']} paid, "
              f"{check['units']} units), {check['claims']} coupon claims, "
              f"{check['after_sales']} after-sale requests")
        for problem in check["problems"]:
            print("  PROBLEM:", problem)
        print("consistency checks: " + ("FAILED" if check["problems"] else "all held"))
        return 1 if fivexx or check["problems"] else 0
    finally:
        if proc is not None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if not args.keep_db:
            with psycopg.connect(admin_dsn, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            print(f"kept database {name}")


if __name__ == "__main__":
    sys.exit(main())
