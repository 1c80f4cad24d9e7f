"""A crowd of writers on the embedded SQLite database: does the laptop default hold?

Run: ``python bench/sqlite_load.py`` (or ``make bench-sqlite``). For each way of serving
(Django's development server, then gunicorn as `make run` starts it, config/gunicorn.py)
it makes a throw-away SQLite database in a temporary folder (migrated, demo data, stock
topped up, BUYERS buyer accounts with API tokens), starts the server on a free port, and
for SECONDS seconds lets

- BUYERS buyers each place an order for one demo SKU, start paying it and post the
  sandbox provider's signed callback, again and again;
- MERCHANTS merchant clients (the demo's two merchants, two clients each) list their paid
  orders and ship them;

all through the REST API, at once. It prints, per server: requests, writes, 5xx (of which
503 "too busy, try again"), requests that met the write lock and were run again, and the
share of writes that failed. SQLITE_LOCK_RETRIES=0 in the environment shows what the
lock does without the retry. The figures are for
reading, not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")

BUYERS = 16
MERCHANTS = 4
SECONDS = 40.0
STOCK = 1_000_000
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0
ADDRESS = {
    "name": "张三", "phone": "13800138000", "province": "上海市", "city": "上海市",
    "district": "浦东新区", "detail": "世纪大道 1 号",
}
COURIERS = ("SF", "ZTO", "YTO")

# Run inside `manage.py shell`: stock for the whole run and the buyers' tokens.
SETUP = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from common import roles
from shop.models import Sku
Sku.objects.filter(is_active=True).update(stock={STOCK})
roles.sync_role_groups()
group = Group.objects.get(name=roles.BUYER)
tokens = {{}}
for i in range({BUYERS}):
    user, _ = get_user_model().objects.get_or_create(username=f"bench_buyer_{{i}}")
    user.groups.add(group)
    tokens[f"buyer{{i}}"] = Token.objects.get_or_create(user=user)[0].key
for name in ("merchant_a", "merchant_b"):
    user = get_user_model().objects.get(username=name)
    tokens[name] = Token.objects.get_or_create(user=user)[0].key
import json
print("TOKENS " + json.dumps(tokens))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env, *args, capture=False):
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True, timeout=600,
    )


class Client:
    def __init__(self, base: str, token: str | None, stats: Counter, lock: threading.Lock):
        self.base, self.token, self.stats, self.lock = base, token, stats, lock

    def count(self, what: str) -> None:
        with self.lock:
            self.stats[what] += 1

    def call(self, method: str, path: str, body=None, headers=None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept-Language", "en")
        if self.token:
            request.add_header("Authorization", f"Token {self.token}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        write = method != "GET"
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        except OSError:
            status, payload = 599, b""  # connection refused or reset: counted as a failure
        with self.lock:
            self.stats["requests"] += 1
            self.stats["writes"] += write
            if 400 <= status < 500:
                self.stats["4xx"] += 1
            if status >= 500:
                self.stats["5xx"] += 1
                self.stats["writes_failed"] += write
            if status == 503:
                self.stats["503"] += 1
        try:
            return status, json.loads(payload or b"null")
        except ValueError:
            return status, None


def buyer_loop(client: Client, skus: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        status, order = client.call("POST", "/api/buyer/orders/", {
            "items": [{"sku": random.choice(skus), "quantity": 1}], "address": ADDRESS,
        })
        if status != 201:
            continue
        client.count("orders placed")
        number = order["number"]
        status, info = client.call("POST", f"/api/buyer/orders/{number}/pay/")
        if status != 200 or not info.get("sandbox_callback"):
            continue
        callback = info["sandbox_callback"]
        status, _body = client.call(
            "POST", "/api/webhooks/payments/sandbox/", raw=callback["body"].encode(),
            headers={"X-Signature": callback["signature"]},
        )
        if status == 200:
            client.count("orders paid")


def merchant_loop(client: Client, stop: threading.Event) -> None:
    while not stop.is_set():
        status, page = client.call("GET", "/api/seller/orders/?status=paid")
        results = (page or {}).get("results", []) if status == 200 else []
        if not results:
            stop.wait(0.2)
            continue
        random.shuffle(results)
        for order in results[:5]:
            if stop.is_set():
                break
            status, _body = client.call("POST", f"/api/seller/orders/{order['number']}/ship/", {
                "courier": random.choice(COURIERS),
                "waybill_number": f"BENCH{random.randrange(10**12):012d}",
            })
            if status == 200:
                client.count("orders shipped")


def _wait_until_up(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.3)


def run(label: str, seconds: float) -> Counter:
    workdir = Path(tempfile.mkdtemp(prefix="bench-sqlite-"))
    port = _free_port()
    env = {
        **os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(workdir / "media"), "HOST": "127.0.0.1", "PORT": str(port),
        "LOG_LEVEL": "INFO",
    }
    env.pop("Q_REDIS_URL", None)
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo")
        setup = _manage(env, "shell", "-c", SETUP).stdout
        tokens = json.loads(setup.split("TOKENS ", 1)[1])
        if label == "runserver":
            command = [PYTHON, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
        else:
            command = [GUNICORN, "-c", "config/gunicorn.py"]
        log = workdir / "server.log"
        with open(log, "w") as out:
            proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, proc, log)
            stats: Counter = Counter()
            lock = threading.Lock()
            status, page = Client(base, tokens["buyer0"], stats, lock).call(
                "GET", "/api/buyer/products/?page_size=100"
            )
            skus = [
                sku["id"] for product in page["results"] if product.get("orderable", True)
                for sku in product["skus"]
            ]
            stats.clear()
            stop = threading.Event()
            threads = [
                threading.Thread(target=buyer_loop, args=(
                    Client(base, tokens[f"buyer{i}"], stats, lock), skus, stop))
                for i in range(BUYERS)
            ] + [
                threading.Thread(target=merchant_loop, args=(
                    Client(base, tokens[("merchant_a", "merchant_b")[i % 2]], stats, lock), stop))
                for i in range(MERCHANTS)
            ]
            for thread in threads:
                thread.start()
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join()
            stats["retried"] = log.read_text(errors="replace").count("SQLite write lock met")
            return stats
        finally:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=SECONDS)
    parser.add_argument("--only", choices=["runserver", "gunicorn"])
    args = parser.parse_args()
    print(f"{BUYERS} buyers + {MERCHANTS} merchant clients, {args.seconds:g} s per server, "
          "SQLite in a temporary folder")
    for label in ("runserver", "gunicorn"):
        if args.only and label != args.only:
            continue
        stats = run(label, args.seconds)
        writes = stats["writes"] or 1
        print(
            f"{label:>9}: {stats['requests']:6d} requests, {stats['writes']:6d} writes, "
            f"{stats['5xx']:4d} 5xx (503: {stats['503']}), {stats['retried']} retried, "
            f"failed writes {stats['writes_failed'] / writes:.3%}; "
            f"{stats['4xx']} 4xx; orders placed {stats['orders placed']}, "
            f"paid {stats['orders paid']}, shipped {stats['orders shipped']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
