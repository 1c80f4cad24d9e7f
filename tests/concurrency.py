"""Helpers for the multi-threaded tests that prove limits hold on PostgreSQL."""

import threading

import pytest
from django.db import connection

from common.errors import ApplicationError

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="concurrency is proven on PostgreSQL, the production database",
)


def run_threads(n, target):
    """Start n threads that call target(i) at the same moment (a barrier), each on its own
    database connection. Returns (results, codes of the ApplicationErrors raised); any
    other exception (a deadlock, a lost update caught by a constraint) fails the test."""
    barrier = threading.Barrier(n)
    results, errors, crashes = [], [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except ApplicationError as exc:
            errors.append(exc.code)
        except Exception as exc:  # noqa: BLE001 - re-raised in the test's thread below
            crashes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if crashes:
        raise crashes[0]
    return results, errors
