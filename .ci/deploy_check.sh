#!/usr/bin/env bash
# Follows docs/deploy.md from scratch on this machine: a new PostgreSQL database, migrate,
# setup_schedules, collectstatic, gunicorn with 2 workers and the django-q2 worker with 2
# processes on the Redis broker and the Redis cache; then /healthz, a page, a static file,
# a task enqueued through Redis and run by the worker; then everything is stopped and the
# database dropped. Any failure fails the script (and CI).
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and Redis on 127.0.0.1:6379.
# Uses Redis database $DEPLOY_REDIS_DB (default 7), which it empties before and after.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
GUNICORN=${GUNICORN:-$(dirname "$PY")/gunicorn}
PGHOST=${PGHOST:-127.0.0.1}
PGUSER=${PGUSER:-postgres}
REDIS_HOST=${REDIS_HOST:-127.0.0.1}
REDIS_DB=${DEPLOY_REDIS_DB:-7}
db="kshop_deploy_$$"
work=$(mktemp -d)
port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"

say() { printf -- '--> %s\n' "$*"; }
redis_flush() {
  "$PY" -c "import redis; redis.Redis(host='$REDIS_HOST', port=6379, db=$REDIS_DB).flushdb()"
}

web_pid="" worker_pid=""
cleanup() {
  status=$?
  # Each by its own pid: gunicorn's arbiter stops its workers; `manage.py worker` stops
  # its qcluster (see common/management/commands/worker.py).
  [ -n "$worker_pid" ] && kill -TERM "$worker_pid" 2>/dev/null && wait "$worker_pid" 2>/dev/null
  [ -n "$web_pid" ] && kill -TERM "$web_pid" 2>/dev/null && wait "$web_pid" 2>/dev/null
  if [ "$status" -ne 0 ]; then
    echo "--- gunicorn log"; tail -n 40 "$work/web.log" 2>/dev/null || true
    echo "--- worker log"; tail -n 40 "$work/worker.log" 2>/dev/null || true
  fi
  psql -h "$PGHOST" -U "$PGUSER" -d postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  redis_flush >/dev/null 2>&1 || true
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

# --- 1. environment (docs/deploy.md, "Environment") --------------------------------------
export DEBUG=0
SECRET_KEY="deploy-check-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')-Zq!"
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export DATABASE_URL="postgres://$PGUSER@$PGHOST:5432/$db"
export CACHE_URL="rediscache://$REDIS_HOST:6379/$REDIS_DB"
export Q_REDIS_URL="redis://$REDIS_HOST:6379/$REDIS_DB"
export Q_WORKERS=2 WEB_WORKERS=2 WEB_THREADS=2 HOST=127.0.0.1 PORT=$port
export STATIC_ROOT="$work/static" MEDIA_ROOT="$work/media"
# Plain HTTP on loopback here; production terminates TLS at the proxy and keeps these on.
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0
export PAYMENT_SANDBOX_ENABLED=0 API_DOCS_PUBLIC=0

# --- 2. database, migrations, schedules, static files ------------------------------------
say "new PostgreSQL database $db"
psql -h "$PGHOST" -U "$PGUSER" -d postgres -qc "CREATE DATABASE $db" >/dev/null
redis_flush
say "migrate"
"$PY" manage.py migrate --noinput >/dev/null
say "setup_schedules"
"$PY" manage.py setup_schedules >/dev/null
say "collectstatic"
"$PY" manage.py collectstatic --noinput >/dev/null
test -f "$STATIC_ROOT/staticfiles.json"   # the manifest whitenoise serves from

# --- 3. start the web and the worker -----------------------------------------------------
say "gunicorn (2 workers) on $base"
"$GUNICORN" -c config/gunicorn.py >"$work/web.log" 2>&1 &
web_pid=$!
say "worker (django-q2, 2 processes, Redis broker)"
"$PY" manage.py worker >"$work/worker.log" 2>&1 &
worker_pid=$!

get() {  # get URL [expected status] -> body in $work/body
  code=$(curl -s -o "$work/body" -w '%{http_code}' -H "Host: 127.0.0.1" "$1")
  [ "$code" = "${2:-200}" ] || { echo "GET $1: $code, expected ${2:-200}"; head -c 400 "$work/body"; return 1; }
}

for _ in $(seq 60); do
  curl -s -o /dev/null "$base/healthz" && break
  sleep 0.5
done

# --- 4. checks ----------------------------------------------------------------------------
say "/healthz answers, the database is ok"
get "$base/healthz"
grep -q '"database": "ok"' "$work/body"
say "two gunicorn workers under the arbiter"
[ "$(pgrep -P "$web_pid" | wc -l)" -eq 2 ]
say "a page and a static file"
get "$base/seller/login/"
css=$(grep -o '/static/[^"]*\.css' "$work/body" | head -n 1)
[ -n "$css" ] && get "$base$css"
say "the schema and docs are not public"
get "$base/api/schema/" 404
get "$base/api/docs/" 404

say "a task through the Redis broker, run by the worker, answered by /healthz"
"$PY" manage.py shell -c "
import time
from django_q.brokers import get_broker
from django_q.status import Stat
from django_q.tasks import async_task, result
broker = get_broker()
assert type(broker).__name__ == 'Redis', type(broker)
task_id = async_task('common.tasks.enforce_deadlines')
outcome = result(task_id, wait=60000)
assert outcome is not None, 'the worker did not run the task within 60 s'
print('task', task_id, 'ran:', outcome)
for _ in range(50):
    clusters = Stat.get_all(broker=broker)
    if clusters and clusters[0].workers:
        break
    time.sleep(0.2)
workers = sum(len(c.workers) for c in clusters)
assert workers == 2, f'{workers} worker processes'
print('worker processes:', workers)
"
get "$base/healthz"
grep -q '"worker": "ok"' "$work/body"
grep -q '"status": "ok"' "$work/body"

say "stop"
kill -TERM "$worker_pid"; wait "$worker_pid" || true; worker_pid=""
kill -TERM "$web_pid"; wait "$web_pid" || true; web_pid=""
say "deploy check passed"
