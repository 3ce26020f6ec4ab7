"""Database session settings for the few large batch statements (PostgreSQL only)."""

from __future__ import annotations

import threading
import zlib
from collections import defaultdict
from contextlib import contextmanager

from django.db import DatabaseError, connection


@contextmanager
def session_settings(**values):
    """Run the block with these PostgreSQL settings, then put back what they were.

    Inside a transaction they are ``SET LOCAL``: if the block fails, the rollback undoes them.
    They change how a statement runs, never what it answers; other databases ignore them.
    """
    if connection.vendor != "postgresql" or not values:
        yield
        return
    scope = "LOCAL " if connection.in_atomic_block else ""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["current_setting(%s)"] * len(values)), list(values))
        before = dict(zip(values, cursor.fetchone(), strict=True))

    def put(settings):
        with connection.cursor() as cursor:
            for name, value in settings.items():
                cursor.execute(f"SET {scope}{name} = %s", [str(value)])

    put(values)
    try:
        yield
    except BaseException:
        if not scope:
            put(before)
        raise
    put(before)


_held_here: defaultdict[str, threading.RLock] = defaultdict(threading.RLock)


@contextmanager
def advisory_lock(name: str):
    """Run the block while no other process or thread runs a block under the same ``name``.

    On PostgreSQL a session advisory lock, waited for, held by this connection and released with it
    (a worker killed mid-way holds nothing); on SQLite, a lock of this process (one dev server).
    """
    if connection.vendor != "postgresql":
        with _held_here[name]:
            yield
        return
    key = zlib.crc32(name.encode()) - 2**31  # a stable signed 32-bit key for this name
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:
            connection.close()  # a broken connection: closing it is what releases the lock
