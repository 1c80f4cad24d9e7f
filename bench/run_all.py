"""Every benchmark in one run (``make bench``), against PostgreSQL.

Run: ``python bench/run_all.py [--scale 1.0] [--strict]`` with the server at
``BENCH_PG_URL`` (default ``postgres://postgres@127.0.0.1:5432``). In order:

1. ``bench/screening.py`` (its own throw-away SQLite database);
2. ``bench/datagen.py`` on a fresh database ``BENCH_DB`` (default ``kshop_bench_make``:
   dropped and created again, then migrated and filled);
3. ``bench/lists.py`` and ``bench/sweeps.py`` on it;
4. ``bench/order_path.py`` and ``bench/flash_sale.py`` on their own databases
   (``bench_orders``, ``bench_flash``; created when missing).

Each runs as its own process with the settings a benchmark needs (DEBUG and SECRET_KEY
are set here, so nothing has to be exported first). Prints each one's exit status and
time. Exits 0 when every benchmark ran to its end — a benchmark that missed its target
(exit 1) is listed as such — and 2 when one failed to run; with ``--strict`` a missed
target also fails the run (exit 1)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-only-" + "x" * 40


def fresh_database(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def run(label: str, args: list[str], env: dict) -> tuple[str, int, float]:
    print(f"\n=== {label}: {' '.join(args)}", flush=True)
    start = time.perf_counter()
    code = subprocess.call([sys.executable, *args], cwd=ROOT, env=env)
    seconds = time.perf_counter() - start
    print(f"=== {label}: exit {code} in {seconds:.0f} s", flush=True)
    return label, code, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1.0)))
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a benchmark misses its target")
    args = parser.parse_args()
    server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
    name = os.environ.get("BENCH_DB", "kshop_bench_make")
    base = {**os.environ, "SECRET_KEY": os.environ.get("SECRET_KEY", SECRET),
            "PYTHONUNBUFFERED": "1"}
    # the in-process benchmarks (no web server) run with the development settings
    local = {**base, "DEBUG": "1", "DATABASE_URL": f"{server}/{name}"}
    served = {**base, "SECURE_SSL_REDIRECT": "0"}
    served.pop("DEBUG", None)

    start = time.perf_counter()
    results = [run("screening", ["bench/screening.py"], {**base, "DEBUG": "1"})]
    fresh_database(server, name)
    results.append(run("datagen", ["bench/datagen.py", "--scale", str(args.scale)], local))
    if results[-1][1] == 0:
        results.append(run("lists", ["bench/lists.py"], local))
        results.append(run("sweeps", ["bench/sweeps.py", "--scale", str(args.scale)], local))
    results.append(run("order path", ["bench/order_path.py"],
                       {**served, "DATABASE_URL": f"{server}/bench_orders"}))
    results.append(run("flash sale", ["bench/flash_sale.py"],
                       {**served, "DATABASE_URL": f"{server}/bench_flash"}))
    total = time.perf_counter() - start

    print("\n=== summary")
    for label, code, seconds in results:
        state = {0: "ok", 1: "ran; target missed (see above)"}.get(code, "FAILED")
        print(f"{label:<12} {seconds:6.0f} s  exit {code}  {state}")
    print(f"{'all':<12} {total:6.0f} s")
    if any(code not in (0, 1) for _label, code, _s in results):
        return 2
    if args.strict and any(code for _label, code, _s in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
