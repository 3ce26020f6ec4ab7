"""Rarely changed rows kept in the cache: read through ``cached``, dropped by ``forget`` when they change.

Every process also keeps the value it last read, with the stamp it was stored under, and
asks the cache only for the (small) stamp on later calls: unpickling a 500-person
directory cost about 3 ms a request. What ``cached`` returns is shared by the whole
process, so callers read it and never change it.
"""

import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import transaction

_held: dict[str, tuple[str, Any]] = {}


def _stamp_key(key: str) -> str:
    return f"{key}:stamp"


def cached[T](key: str, load: Callable[[], T], *, timeout: int = 3600) -> T:
    """The value for ``key``: this process's copy while the cache's stamp is unchanged, else the
    cache's, else ``load()`` stored under a new stamp."""
    stamp = cache.get(_stamp_key(key))
    held = _held.get(key)
    if stamp is not None and held is not None and held[0] == stamp:
        return held[1]
    stored = cache.get(key) if stamp is not None else None
    if stored is not None and stored[0] == stamp:
        value = stored[1]
    else:
        value = load()
        stamp = uuid.uuid4().hex
        cache.set_many({key: (stamp, value), _stamp_key(key): stamp}, timeout=timeout)
    _held[key] = (stamp, value)
    return value


def forget(*keys: str) -> None:
    """Drop ``keys`` now and again after the commit (a reader in between may have cached the old rows)."""
    doomed = [k for key in keys for k in (key, _stamp_key(key))]
    cache.delete_many(doomed)
    transaction.on_commit(lambda: cache.delete_many(doomed))


def stamp_of(key: str) -> str:
    """The stamp this process last read ``key`` under (call ``cached`` first): markup drawn from the value
    can be cached under it and is dropped with it."""
    return _held[key][0]
