"""Do the long lists grow with the table? Each list page for the big merchant (1,000,000
orders) against the small one (10,000), and the admin changelists, in one run.

Run on a database filled by ``bench/datagen.py``::

    DATABASE_URL=postgres://…/bench python bench/lists.py [--runs 5]

Requests go through the whole Django stack in-process (middleware, views, templates) with
the test client, signed in as ``bench_big`` / ``bench_small`` and as a reviewer. Prints
the median time of each page for both merchants, the ratio (target ≤ 1.5) and the number
of queries, and exits 1 when a ratio is above the target."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.memory import peak_rss_mib  # noqa: E402
from common.keyset import _cursor  # noqa: E402
from shop.models import Order  # noqa: E402
from shop.selectors.orders import ALL_KEYS  # noqa: E402

TARGET = 1.5
DEEP_ROW = 8_000  # the first row of what was page 400 of 20


def deep_cursor(username: str) -> str:
    orders = Order.objects.filter(store__merchant__username=username)
    row_number = min(DEEP_ROW, orders.count() // 2)  # (smaller data sets: half way down)
    row = orders.order_by(*ALL_KEYS).only("created_at", "id")[row_number - 1:row_number].get()
    return _cursor(row, ALL_KEYS)


def measure(client: Client, url: str, runs: int) -> tuple[float, int]:
    client.get(url)  # warm: templates, caches, the plan
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        queries = len(captured.captured_queries)
    return statistics.median(times), queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    users = get_user_model().objects
    try:
        big, small = users.get(username="bench_big"), users.get(username="bench_small")
    except get_user_model().DoesNotExist:
        print("no bench data: run bench/datagen.py on this database first", file=sys.stderr)
        return 2
    reviewer, _ = users.get_or_create(username="bench_reviewer",
                                      defaults={"is_staff": True, "is_superuser": True})
    clients = {}
    for user in (big, small, reviewer):
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        clients[user.username] = client

    merchant_pages = [
        ("orders, default view", lambda u: "/seller/orders/"),
        ("orders, all", lambda u: "/seller/orders/?view=all"),
        ("orders, status=paid", lambda u: "/seller/orders/?view=all&status=paid"),
        ("orders, deep page (row 8,000)",
         lambda u: f"/seller/orders/?view=all&after={deep_cursor(u)}"),
        ("after-sales, default", lambda u: "/seller/after-sales/"),
        ("after-sales, all", lambda u: "/seller/after-sales/?view=all"),
        ("after-sales, status=closed", lambda u: "/seller/after-sales/?status=closed"),
    ]
    admin_pages = [
        ("admin orders", "/admin/shop/order/"),
        ("admin orders, status=paid", "/admin/shop/order/?status__exact=paid"),
        ("admin after-sales", "/admin/disputes/aftersalerequest/"),
        ("admin store-account entries", "/admin/shop/storeaccountentry/"),
    ]
    worst = 0.0
    print(f"{'page':<32} {'1M merchant':>12} {'10k merchant':>13} {'ratio':>6} {'queries':>8}")
    for label, url_for in merchant_pages:
        big_s, big_q = measure(clients["bench_big"], url_for("bench_big"), args.runs)
        small_s, small_q = measure(clients["bench_small"], url_for("bench_small"), args.runs)
        ratio = big_s / small_s
        worst = max(worst, ratio)
        print(f"{label:<32} {big_s * 1000:>10.1f}ms {small_s * 1000:>11.1f}ms {ratio:>6.2f} "
              f"{big_q:>4}/{small_q:<3}")
    total = Order.objects.count()
    print(f"\nadmin changelists over {total:,} orders (reviewer)")
    for label, url in admin_pages:
        seconds, queries = measure(clients["bench_reviewer"], url, args.runs)
        print(f"{label:<32} {seconds * 1000:>10.1f}ms {'':>13} {'':>6} {queries:>4}")
    print(f"\nworst merchant ratio {worst:.2f} (target ≤ {TARGET})")
    print(f"peak memory (RSS high-water) of this process, serving every page in-process as "
          f"a web worker does: {peak_rss_mib():.0f} MiB")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
