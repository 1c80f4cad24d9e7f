"""`make run` serves with gunicorn (config/gunicorn.py), several processes of a few threads,
which held a crowd of writers on SQLite where the development server met "database is
locked"; static files are still served with DEBUG on, and Ctrl-C stops it within seconds."""

import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).parent / "gunicorn"
GRACE = 2


def _run_recipe() -> str:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^run:.*?(?=^[^\s#]|\Z)", makefile, re.M | re.S).group(0)


def test_make_run_serves_with_gunicorn_and_keeps_the_worker():
    recipe = _run_recipe()
    assert "gunicorn -c config/gunicorn.py" in recipe
    assert "runserver" not in recipe
    assert "manage.py worker" in recipe
    assert "gunicorn" in (ROOT / "requirements.txt").read_text()


def test_the_gunicorn_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_WORKERS", "5")
    monkeypatch.setenv("WEB_THREADS", "4")
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert config["bind"] == "0.0.0.0:8123"
    assert (config["workers"], config["threads"]) == (5, 4)
    assert config["worker_class"] == "gthread"
    assert config["wsgi_app"] == "config.wsgi:application"
    monkeypatch.delenv("WEB_WORKERS")
    monkeypatch.delenv("WEB_THREADS")
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert (config["workers"], config["threads"]) == (3, 2)
    # one line of waiting requests for all processes (no connection kept by a busy one)
    assert (config["keepalive"], config["worker_connections"]) == (0, 2)
    assert config["accesslog"] == "-"
    monkeypatch.setenv("WEB_KEEPALIVE", "2")
    monkeypatch.setenv("WEB_ACCESS_LOG", "")
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert (config["keepalive"], config["accesslog"]) == (2, None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - local
            return response.status, response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", "")


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed in this venv")
@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups (POSIX)")
def test_gunicorn_serves_static_files_in_debug_and_stops_on_ctrl_c(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "1",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_WORKERS": "2",
        "WEB_THREADS": "1",
        "WEB_GRACEFUL_TIMEOUT": str(GRACE),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    log = open(tmp_path / "gunicorn.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(GUNICORN), "-c", "config/gunicorn.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own group, like a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, Path(log.name).read_text()
            try:
                status, content_type = _get(f"http://127.0.0.1:{port}/static/admin/css/base.css")
                break
            except OSError:
                assert time.monotonic() < deadline, Path(log.name).read_text()
                time.sleep(0.3)
        assert status == 200 and content_type.startswith("text/css")
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C
        proc.wait(timeout=15)
        # Workers still busy after the grace period are killed; the rest is the arbiter's
        # own exit (slower on a loaded machine).
        assert time.monotonic() - started < GRACE + 4
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()
