"""Run the django-q2 worker (qcluster) so that it stops within seconds when told to.

qcluster is a main process plus a sentinel, workers, a monitor and a pusher. The sentinel
sets SIGTERM back to its default action and spends its time asleep in `stop_event.wait()`.
A SIGTERM sent to the whole process group (`timeout make run`, a closed terminal,
systemd's default KillMode=control-group) kills it there; the main process's own handler
then blocks for ever in `stop_event.set()`, waiting for the dead sleeper to acknowledge
(django-q2 1.11), and every later SIGTERM or SIGINT lands in that same stuck handler.

So qcluster runs here in a session of its own, out of reach of group-wide signals, and on
SIGTERM, SIGINT or SIGHUP this command sends SIGTERM to qcluster's main process alone (a
graceful stop takes a second or two), then SIGKILL to whatever is left after
--stop-timeout seconds. A task killed half-way is delivered again after Q_CLUSTER["retry"];
the sweeps are idempotent.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Command(BaseCommand):
    help = "Run the worker (django-q2 qcluster); on SIGTERM/SIGINT it stops within seconds."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stop-timeout",
            type=float,
            default=5.0,
            help="Seconds the worker gets to stop gracefully before it is killed (default 5).",
        )

    def handle(self, *args, stop_timeout: float, **options):
        received: list[int] = []
        for signum in STOP_SIGNALS:
            # Also when started with `&` by a shell, which leaves SIGINT ignored.
            signal.signal(signum, lambda signum, frame: received.append(signum))
        cluster = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"],
            start_new_session=True,
        )
        try:
            while not received and cluster.poll() is None:
                time.sleep(0.2)
        finally:
            self._stop(cluster, stop_timeout)
        if not received and cluster.returncode:
            raise CommandError(f"qcluster exited with status {cluster.returncode}.")

    def _stop(self, cluster: subprocess.Popen, stop_timeout: float) -> None:
        if cluster.poll() is None:
            cluster.send_signal(signal.SIGTERM)
            try:
                cluster.wait(stop_timeout)
            except subprocess.TimeoutExpired:
                self.stderr.write(f"The worker did not stop within {stop_timeout:g} s; killing it.")
        try:
            # The session's process group: sentinel, workers, monitor, pusher.
            os.killpg(cluster.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # already gone
        cluster.wait()
