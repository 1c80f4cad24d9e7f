"""Fill a PostgreSQL database with a platform-sized data set, fast.

Run: ``DATABASE_URL=postgres://…/bench python bench/datagen.py [--scale 1.0]``

At scale 1.0: 2,000 stores (one merchant each), 200,000 products with a SKU each,
1,000,000 orders of the big store ``bench_big`` beside 10,000 of ``bench_small`` and
100 of every other store (1,209,800 orders in all), one line and one event per order,
200,000 after-sale requests and a store-account ledger entry per completed order.

Rows are made by the database itself (``INSERT … SELECT … FROM generate_series``, one
statement per table), not by the ORM. A column the statement does not name but that may
not be empty gets a neutral value of its type, so the generator keeps working when a
column is added. The database is migrated first and must hold no bench data (run it on an
empty database). Prints rows per second for each table."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from common.roles import sync_role_groups  # noqa: E402

STORES = 2_000
PRODUCTS_PER_STORE = 100
BIG_ORDERS = 1_000_000
SMALL_ORDERS = 10_000
OTHER_ORDERS = 100
AFTER_SALES = 200_000
BUYERS = 50_000
PASSWORD = "!bench-unusable"  # an unusable password: bench users cannot sign in by form

NEUTRAL = {
    "character varying": "''", "text": "''", "integer": "0", "bigint": "0",
    "smallint": "0", "numeric": "0", "boolean": "false", "jsonb": "'{}'::jsonb",
    "timestamp with time zone": "now()", "date": "current_date",
}


def columns(table: str) -> dict[str, tuple[str, bool, bool]]:
    """name → (type, nullable, has a database default)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL "
            "FROM information_schema.columns WHERE table_name = %s", [table])
        return {name: (kind, nullable, default) for name, kind, nullable, default in cursor}


def insert_select(table: str, values: dict[str, str], source: str) -> int:
    """INSERT INTO table (…) SELECT <values> FROM <source>; columns not given that may not
    be empty get a neutral value. Returns the rows inserted."""
    given = dict(values)
    for name, (kind, nullable, default) in columns(table).items():
        if name in given or name == "id" or nullable or default:
            continue
        if name.endswith("_id") and kind in ("integer", "bigint"):
            raise SystemExit(f"{table}.{name} is a required reference: give it a value")
        given[name] = NEUTRAL.get(kind, "''")
    names = ", ".join(f'"{name}"' for name in given)
    exprs = ", ".join(given.values())
    with connection.cursor() as cursor:
        cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT {exprs} FROM {source}')  # noqa: S608
        return cursor.rowcount


def timed(label: str, func) -> None:
    start = time.perf_counter()
    rows = func()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {rows:>10,} rows {seconds:7.1f} s {rows / max(seconds, 1e-9):>12,.0f} rows/s",
          flush=True)


def generate(scale: float) -> None:
    stores = max(3, int(STORES * scale))
    per_store = max(1, int(PRODUCTS_PER_STORE * min(scale * 10, 1)))
    big, small = max(100, int(BIG_ORDERS * scale)), max(10, int(SMALL_ORDERS * scale))
    buyers = max(10, int(BUYERS * scale))
    after_sales = int(AFTER_SALES * scale)

    timed("merchants + buyers", lambda: insert_select("auth_user", {
        "username": f"CASE WHEN g <= {stores} THEN 'bench_m' || g ELSE 'bench_buyer' || g END",
        "password": f"'{PASSWORD}'", "is_superuser": "false", "is_staff": "false",
        "is_active": "true", "date_joined": "now() - interval '400 days'",
    }, f"generate_series(1, {stores + buyers}) g"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE auth_user SET username = 'bench_big' WHERE username = 'bench_m1'")
        cursor.execute("UPDATE auth_user SET username = 'bench_small' WHERE username = 'bench_m2'")
        cursor.execute(
            "INSERT INTO auth_user_groups (user_id, group_id) SELECT u.id, g.id FROM auth_user u "
            "JOIN auth_group g ON g.name = CASE WHEN u.username LIKE 'bench_buyer%' THEN 'buyer' "
            "ELSE 'merchant' END WHERE u.username LIKE 'bench_%'")
        cursor.execute("SELECT min(id) FROM auth_user WHERE username LIKE 'bench_buyer%'")
        first_buyer = cursor.fetchone()[0]
    merchants = ("(SELECT id, row_number() OVER (ORDER BY id) AS n FROM auth_user "
                 "WHERE username LIKE 'bench_m%' OR username IN ('bench_big', 'bench_small')) m")
    timed("store applications", lambda: insert_select("shop_merchantapplication", {
        "created_at": "now() - interval '400 days'", "updated_at": "now()",
        "status": "'approved'", "store_name": "'Bench store ' || m.n",
        "submitted_at": "now() - interval '400 days'", "decided_at": "now() - interval '399 days'",
        "applicant_id": "m.id",
    }, merchants))
    timed("stores", lambda: insert_select("shop_store", {
        "created_at": "a.created_at", "updated_at": "now()", "name": "a.store_name",
        "slug": "'bench-' || a.id", "status": "'open'", "industry_base": "false",
        "opened_at": "now() - interval '399 days'", "application_id": "a.id",
        "merchant_id": "a.applicant_id",
    }, "shop_merchantapplication a WHERE a.store_name LIKE 'Bench store %'"))
    timed("store accounts", lambda: insert_select("shop_storeaccount", {
        "balance": "0", "created_at": "now()", "updated_at": "now()", "store_id": "s.id",
    }, "shop_store s WHERE s.slug LIKE 'bench-%'"))
    timed("products", lambda: insert_select("shop_product", {
        "created_at": "now() - interval '300 days'", "updated_at": "now()", "kind": "'own'",
        "status": "'listed'", "title": "'Bench product ' || s.id || '-' || g",
        "supports_seven_day_return": "true", "free_shipping": "true", "shipping_fee": "0",
        "listed_at": "now() - interval '300 days'", "store_id": "s.id",
    }, f"shop_store s CROSS JOIN generate_series(1, {per_store}) g WHERE s.slug LIKE 'bench-%'"))
    timed("skus", lambda: insert_select("shop_sku", {
        "attributes": "'{}'::jsonb", "attributes_key": "''", "price": "59.00",
        "stock": "100000", "code": "''", "is_active": "true", "product_id": "p.id",
    }, "shop_product p WHERE p.title LIKE 'Bench product %'"))

    def orders():
        # a store's orders: i-th order i minutes before now, status by i
        status = ("CASE WHEN g % 50 = 0 THEN 'paid' WHEN g % 97 = 0 THEN 'pending_payment' "
                  "WHEN g % 20 = 0 THEN 'shipped' ELSE 'completed' END")
        total = 0
        for username, count in (("bench_big", big), ("bench_small", small)):
            total += insert_select("shop_order", _order_values(status, first_buyer, buyers), (
                f"(SELECT s.id AS store_id FROM shop_store s JOIN auth_user u ON u.id = s.merchant_id "
                f"WHERE u.username = '{username}') s CROSS JOIN generate_series(1, {count}) g"))
        total += insert_select("shop_order", _order_values(status, first_buyer, buyers), (
            "(SELECT s.id AS store_id FROM shop_store s JOIN auth_user u ON u.id = s.merchant_id "
            "WHERE u.username LIKE 'bench_m%') s "
            f"CROSS JOIN generate_series(1, {OTHER_ORDERS}) g"))
        return total

    timed("orders", orders)
    timed("order lines", lambda: insert_select("shop_orderline", {
        "title": "'Bench product'", "attributes": "'{}'::jsonb", "unit_price": "o.goods_amount",
        "quantity": "1", "amount": "o.goods_amount", "paid_amount": "o.paid_amount",
        "refunded_amount": "0", "supports_seven_day_return": "true", "order_id": "o.id",
        "product_id": "p.product_id", "sku_id": "p.id",
    }, ("shop_order o JOIN LATERAL (SELECT k.id, k.product_id FROM shop_sku k "
        "JOIN shop_product pr ON pr.id = k.product_id WHERE pr.store_id = o.store_id "
        "LIMIT 1) p ON true WHERE o.number LIKE 'B%'")))
    timed("order events", lambda: insert_select("shop_orderevent", {
        "from_status": "''", "to_status": "o.status", "reason": "''", "at": "o.created_at",
        "data": "'{}'::jsonb", "order_id": "o.id",
    }, "shop_order o WHERE o.number LIKE 'B%'"))
    timed("after-sale requests", lambda: insert_select("disputes_aftersalerequest", {
        "created_at": "o.created_at + interval '3 days'", "updated_at": "now()",
        "kind": "'refund_only'", "reason": "'no_reason'", "resolution": "''",
        "amount": "l.paid_amount", "status": "CASE WHEN o.id % 10 = 0 THEN 'pending' ELSE 'closed' END",
        "finished": "o.id % 10 <> 0", "buyer_id": "o.buyer_id", "line_id": "l.id",
        "order_id": "o.id", "store_id": "o.store_id",
        "review_by": "CASE WHEN o.id % 10 = 0 THEN now() + interval '2 days' END",
        "next_deadline": "CASE WHEN o.id % 10 = 0 THEN now() + interval '2 days' END",
    }, (f"(SELECT * FROM shop_order WHERE number LIKE 'B%' AND status = 'completed' "
        # every sixth completed order first: spread over the stores, the big and the small
        # merchant alike, not only the first store's orders
        f"ORDER BY id % 6, id LIMIT {after_sales}) o JOIN shop_orderline l ON l.order_id = o.id")))
    timed("store-account entries", lambda: insert_select("shop_storeaccountentry", {
        "amount": "o.paid_amount", "balance_after": "o.paid_amount", "reason": "''",
        "cause_type": "'order'", "cause_id": "o.id::text", "at": "o.completed_at",
        "data": "'{}'::jsonb", "kind": "'settlement'", "account_id": "a.id", "order_id": "o.id",
    }, ("shop_order o JOIN shop_storeaccount a ON a.store_id = o.store_id "
        "WHERE o.number LIKE 'B%' AND o.status = 'completed'")))
    # VACUUM as autovacuum does after a bulk load in production: it sets the visibility map,
    # so the lists' capped counts read their index alone. Without it every count of a
    # freshly loaded table also visits each row in the heap (10,001 heap fetches per status).
    with connection.cursor() as cursor:
        start = time.perf_counter()
        cursor.execute("VACUUM (ANALYZE)")
        print(f"{'vacuum, analyze':<28} {time.perf_counter() - start:>23.1f} s")


def _order_values(status: str, first_buyer: int, buyers: int) -> dict[str, str]:
    created = "now() - (g || ' minutes')::interval"
    return {
        "created_at": created, "updated_at": "now()",
        "number": "'B' || s.store_id || 'x' || g", "status": status,
        "goods_amount": "59.00", "shipping_fee": "0", "discount_amount": "0",
        "total_amount": "59.00",
        "paid_amount": f"CASE WHEN {status} = 'pending_payment' THEN 0 ELSE 59.00 END",
        "refunded_amount": "0", "address": "'{\"name\": \"B\"}'::jsonb",
        "pay_by": f"CASE WHEN {status} = 'pending_payment' THEN {created} + interval '1 day' END",
        "ship_by": f"CASE WHEN {status} = 'paid' THEN {created} + interval '48 hours' END",
        "paid_at": f"CASE WHEN {status} <> 'pending_payment' THEN {created} END",
        "completed_at": f"CASE WHEN {status} = 'completed' THEN {created} + interval '10 days' END",
        "buyer_id": f"{first_buyer} + (g::bigint * 7919 + s.store_id) % {buyers}",
        "store_id": "s.store_id",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        print("datagen needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    sync_role_groups()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auth_user WHERE username LIKE 'bench_%'")
        if cursor.fetchone()[0]:
            print("this database already holds bench data; use an empty one", file=sys.stderr)
            return 2
    start = time.perf_counter()
    generate(args.scale)
    print(f"{'total':<28} {time.perf_counter() - start:>23.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
