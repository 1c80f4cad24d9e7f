"""gunicorn settings: how `make run` serves the platform (`gunicorn -c config/gunicorn.py`).

A few processes with a few threads each, rather than Django's development server (one
process, a thread per connection): with SQLite, every extra thread writing in one process
makes the others wait longer for the write lock and for the interpreter, and a crowd of
buyers and merchants then met "database is locked"; three processes of two threads held
that crowd (see `make bench-sqlite`). Static files are served by WhiteNoise (from the apps'
folders when DEBUG is on).

Ctrl-C (SIGINT) stops gunicorn at once; SIGTERM lets requests in flight finish for
WEB_GRACEFUL_TIMEOUT seconds.
"""

import os

wsgi_app = "config.wsgi:application"
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "2"))
worker_class = "gthread"
# One line of waiting requests for all processes, served in arrival order: a process takes
# a connection only when one of its threads is free, and closes it after the answer. With
# keep-alive, each process keeps the clients it happened to accept, and under a crowd those
# of a busy process wait several times longer than the rest (at 64 buyers at once, a p99
# of 400-600 ms against 200 ms this way: docs/benchmarks.md). Behind nginx, whose upstream
# connections are not kept by default, nothing changes; WEB_KEEPALIVE=2 keeps them.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "0"))
worker_connections = threads
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "5"))
# Requests are logged to the terminal, as the development server did; WEB_ACCESS_LOG=""
# turns it off (a proxy in front that logs them), a path logs to that file.
accesslog = os.environ.get("WEB_ACCESS_LOG", "-") or None
errorlog = "-"
# The control socket (gunicornc) has one default path per user: a second server on the same
# machine (another checkout, `make bench-sqlite`) would take it over.
control_socket_disable = True
