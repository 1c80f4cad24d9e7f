"""Scale-out on Redis: `Q_REDIS_URL` makes Redis the worker's broker and `CACHE_URL` a
shared cache. The settings tests run everywhere; the round trips run in CI's Redis pass
(`.ci/run` sets both variables) and are skipped, with the reason, elsewhere."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

REDIS_BROKER = bool(os.environ.get("Q_REDIS_URL"))
REDIS_CACHE = os.environ.get("CACHE_URL", "").startswith("rediscache://")


def _settings_with(**env):
    code = ("from django.conf import settings; import json; "
            "print(json.dumps({'q': settings.Q_CLUSTER, "
            "'cache': settings.CACHES['default']['BACKEND']}, default=str))")
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"Q_REDIS_URL", "CACHE_URL"}}
    environment.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings", **env)
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        capture_output=True, text=True, env=environment, cwd=settings.BASE_DIR, timeout=60)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_q_redis_url_makes_redis_the_broker_instead_of_the_database():
    on_redis = _settings_with(Q_REDIS_URL="redis://127.0.0.1:6379/5",
                              CACHE_URL="rediscache://127.0.0.1:6379/6")
    assert on_redis["q"]["redis"] == "redis://127.0.0.1:6379/5"
    assert "orm" not in on_redis["q"]
    assert on_redis["cache"] == "django.core.cache.backends.redis.RedisCache"
    on_database = _settings_with()
    assert on_database["q"]["orm"] == "default" and "redis" not in on_database["q"]


@pytest.mark.skipif(not REDIS_BROKER, reason="Q_REDIS_URL not set (CI's Redis pass sets it)")
def test_a_task_goes_through_the_redis_broker():
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    assert type(broker).__name__ == "Redis"
    assert broker.ping()
    broker.purge_queue()
    broker.enqueue(SignedPackage.dumps({"id": "t1", "func": "common.tasks.enforce_deadlines"}))
    assert broker.queue_size() == 1
    [(_key, package)] = broker.dequeue()
    assert SignedPackage.loads(package)["id"] == "t1"
    assert broker.queue_size() == 0


@pytest.mark.skipif(not REDIS_BROKER, reason="Q_REDIS_URL not set (CI's Redis pass sets it)")
@pytest.mark.django_db
def test_the_scheduled_sweep_runs_from_the_redis_queue():
    """What a worker does with the minute schedule: the package taken from Redis runs the
    sweeps and records the heartbeat that /healthz reads."""
    from django.core.management import call_command
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage
    from django_q.tasks import async_task

    from common.models import WorkerHeartbeat

    call_command("setup_schedules")
    broker = get_broker()
    broker.purge_queue()
    task_id = async_task("common.tasks.enforce_deadlines", broker=broker)
    [(_key, package)] = broker.dequeue()
    task = SignedPackage.loads(package)
    assert task["id"] == task_id
    from django.utils.module_loading import import_string

    import_string(task["func"])(*task["args"], **task["kwargs"])
    assert WorkerHeartbeat.objects.filter(name="deadlines").exists()


@pytest.mark.skipif(not REDIS_CACHE, reason="CACHE_URL not Redis (CI's Redis pass sets it)")
def test_the_cache_is_shared_between_connections():
    """What one gunicorn process counts, another reads: a second client of the same Redis
    sees the first one's value."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    first = caches["default"]
    assert isinstance(first, RedisCache)
    second = RedisCache(settings.CACHES["default"]["LOCATION"], {})
    first.set("scale-out-probe", 41)
    first.incr("scale-out-probe")
    assert second.get("scale-out-probe") == 42
    second.delete("scale-out-probe")
