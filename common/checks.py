"""System checks of the platform's own settings."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Caches that each process keeps to itself (or not at all).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """The API login throttle counts in the default cache. A per-process cache counts
    separately in every web worker and forgets on restart, so production needs a shared
    one. Reads the settings only: never connects to the cache."""
    if settings.DEBUG:
        return []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            f"The default cache ({backend}) is kept per process: the API login throttle "
            "counts separately in every web worker and starts from zero on each restart.",
            hint="Set CACHE_URL to a shared cache, e.g. CACHE_URL=rediscache://127.0.0.1:6379/1.",
            id="common.W001",
        )
    ]
