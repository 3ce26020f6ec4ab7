"""Rarely changed rows kept in the cache: read through ``cached``, dropped by ``forget`` when they change."""

from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction


def cached[T](key: str, load: Callable[[], T], *, timeout: int = 3600) -> T:
    """The cached value, loaded and stored on a miss (a fresh unpickled copy each call: safe to change)."""
    found = cache.get(key)
    if found is None:
        found = load()
        cache.set(key, found, timeout=timeout)
    return found


def forget(*keys: str) -> None:
    """Drop ``keys`` now and again after the commit (a reader in between may have cached the old rows)."""
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))
