from django.conf import settings
from django.core.checks import Error, Tags, register

# Caches that live inside one process: every gunicorn worker and Celery worker would keep its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


def unshared_cache() -> list[Error]:
    """Sessions, memberships' visibility and the stage catalog are read through the cache: with one
    per process, a logout or a removed member is still honoured by the other workers for an hour."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            "Production needs a cache shared by every process; this one lives inside each process.",
            hint="Set CACHE_URL to a Redis database of its own, e.g. redis://redis:6379/1 (docker-compose.yml does).",
            id="core.E001",
        )
    ]


@register(Tags.caches, deploy=True)
def shared_cache(app_configs, **kwargs):
    return unshared_cache()
