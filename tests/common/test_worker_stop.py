"""`make run`: its banner, and a worker that stops within seconds.

django-q2's qcluster hung for good when SIGTERM reached all of its processes at once
(`timeout make run`, a closed terminal, systemd's default KillMode): its sentinel died
asleep in `stop_event.wait()` and the main process then waited for it for ever, ignoring
further signals. `manage.py worker` (what `make run` and `make worker` start) keeps the
cluster out of reach of group-wide signals and kills what is left after a deadline."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
# The cluster: its main process, the sentinel, Q_WORKERS workers, the monitor, the pusher.
CLUSTER_PROCESSES = 1 + 1 + 2 + 1 + 1


def _make_recipe(target: str) -> str:
    makefile = (ROOT / "Makefile").read_text()
    # up to the next rule (comment lines inside a recipe start with "#")
    return re.search(rf"^{target}:.*?(?=^[^\s#]|\Z)", makefile, re.M | re.S).group(0)


def test_the_banner_labels_every_url_with_a_colon():
    lines = re.findall(r'@echo "  ([^"]*http://[^"]*)"', _make_recipe("run"))
    assert len(lines) >= 5
    for line in lines:
        label = line.split("http://")[0]
        assert label.rstrip().endswith(":"), line


@pytest.mark.django_db
def test_the_demo_logins_are_printed_once(settings):
    recipe = _make_recipe("run")
    assert "seed_demo" in recipe
    # seed_demo prints them, from the list it creates; the Makefile does not repeat them.
    assert "Demo logins" not in recipe and "DEMO_PASSWORD" not in recipe
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert out.getvalue().count("Demo logins") == 1
    assert settings.DEMO_PASSWORD in out.getvalue()


def test_make_run_and_make_worker_start_the_stoppable_worker():
    assert "manage.py worker" in _make_recipe("run")
    assert "manage.py qcluster" not in _make_recipe("run")
    assert "manage.py worker" in _make_recipe("worker")


# --- The worker's stop, with real processes (Linux: reads /proc) ---------------------------

linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _live_parents() -> dict[int, int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":  # a zombie has stopped already
            parents[int(entry.name)] = int(fields[1])
    return parents


def _descendants(root: int) -> set[int]:
    parents = _live_parents()
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def _alive(pids) -> set[int]:
    parents = _live_parents()
    return {pid for pid in pids if pid in parents}


@pytest.fixture(scope="module")
def worker_env(tmp_path_factory):
    database = tmp_path_factory.mktemp("worker") / "db.sqlite3"
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": f"sqlite:///{database}", "Q_WORKERS": "2"}
    env.pop("Q_REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return env


@pytest.fixture
def start_worker(worker_env, tmp_path):
    started = []

    def start(*args):
        log = open(tmp_path / f"worker-{len(started)}.log", "w+")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "manage.py", "worker", *args],
            cwd=ROOT,
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as under make or systemd
        )
        started.append((proc, log))
        deadline = time.monotonic() + 60
        while len(_descendants(proc.pid)) < CLUSTER_PROCESSES:
            assert proc.poll() is None, Path(log.name).read_text()
            assert time.monotonic() < deadline, "the cluster did not start"
            time.sleep(0.2)
        time.sleep(2)  # the sentinel is now in its guard loop
        return proc, _descendants(proc.pid), log

    yield start
    for proc, log in started:  # never leave a stuck cluster behind
        for pid in _alive(_descendants(proc.pid) | {proc.pid}):
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
        log.close()


def _wait_gone(pids, seconds: float) -> set[int]:
    deadline = time.monotonic() + seconds
    while _alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _alive(pids)


@linux_only
def test_the_worker_stops_within_seconds_when_every_process_gets_sigterm(start_worker):
    proc, cluster, _log = start_worker("--stop-timeout", "3")
    started = time.monotonic()
    for pid in cluster | {proc.pid}:  # what systemd's KillMode=control-group does
        os.kill(pid, signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert _wait_gone(cluster, 2) == set()
    assert time.monotonic() - started < 3 + 4


@linux_only
def test_a_ctrl_c_stops_the_worker_gracefully(start_worker):
    proc, cluster, log = start_worker()
    started = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # the terminal's Ctrl-C, to the foreground group
    assert proc.wait(timeout=15) == 0
    assert _wait_gone(cluster, 2) == set()
    assert time.monotonic() - started < 5
    log.flush()
    assert "killing it" not in Path(log.name).read_text()  # it stopped by itself
