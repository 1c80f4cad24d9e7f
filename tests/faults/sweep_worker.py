"""A deadline worker that can be made to hang inside a batch, for the kill test.

Run as a script with DATABASE_URL pointing at the test database:

    python tests/faults/sweep_worker.py NOW_ISO [STALL_SWEEP STALL_BATCH]

It runs every registered sweep once through common.deadlines (whose batches are
common.sweeps's loop), exactly as
`enforce_deadlines` does, in batches of BATCH rows. With STALL_SWEEP and STALL_BATCH it
does the work of that sweep's STALL_BATCH-th batch (1-based), prints "STALLED" and sleeps
inside the batch's transaction, its rows locked and written but not committed, until it is
killed. After each sweep it prints "SWEPT <sweep> <rows moved>"."""

import os
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

BATCH = 10


def main(argv: list[str]) -> None:
    import django

    django.setup()
    from common import deadlines, sweeps

    now = datetime.fromisoformat(argv[1])
    stall_sweep = argv[2] if len(argv) > 2 else None
    stall_batch = int(argv[3]) if len(argv) > 3 else 0
    real_loop = deadlines.sweep_batches
    state = {"sweep": None, "batches": 0}

    real_due = sweeps.sweep_due

    def watch(real):
        def loop(due, handle, batch_size, **kw):
            def watched(ids):
                state["batches"] += 1
                done = handle(ids)
                if state["sweep"] == stall_sweep and state["batches"] == stall_batch:
                    print("STALLED", state["sweep"], len(ids), flush=True)
                    time.sleep(600)
                return done

            return real(due, watched, BATCH, **kw)

        return loop

    # Every app's sweeps module took `sweep_due` (or `sweep_batches`) by name: point them at
    # the watched loop.
    for module in list(sys.modules.values()):
        if module in (deadlines, sweeps):
            continue
        if getattr(module, "sweep_batches", None) is real_loop:
            module.sweep_batches = watch(real_loop)
        if getattr(module, "sweep_due", None) is real_due:
            module.sweep_due = watch(real_due)
    for name, sweep in deadlines.registered().items():
        state["sweep"], state["batches"] = name, 0
        print("SWEPT", name, sweep(now), flush=True)
    print("DONE", flush=True)


if __name__ == "__main__":
    main(sys.argv)
