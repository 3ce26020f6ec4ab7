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


class ReusedSql:
    """A values() query whose SQL PostgreSQL gets from the ORM once per process, then reuses.

    Building a union of 21 form tables' querysets costs 5-7 ms of Python a request, more
    than running it. ``build`` takes placeholder ints and returns the queryset; each one
    it uses must reach the SQL as a parameter of its own, and nothing else may change the
    SQL (a list's length does: pass a list as one array parameter). Rows come back as the
    queryset's dicts. Other databases run the queryset itself, with the real values.
    """

    _placeholders = tuple(-7_777_000_001 - i for i in range(8))

    def __init__(self, build):
        self.build = build
        self._compiled: tuple[str, list, list[int | None]] | None = None

    def rows(self, *values) -> list[dict]:
        if connection.vendor != "postgresql":
            return list(self.build(*values))
        sql, params, slots = self._compiled or self._compile(len(values))
        bound = [p if slot is None else values[slot] for p, slot in zip(params, slots, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def _compile(self, arity: int):
        placeholders = self._placeholders[:arity]
        queryset = self.build(*placeholders)
        sql, params = queryset.query.get_compiler(queryset.db).as_sql()
        slots = [placeholders.index(p) if type(p) is int and p in placeholders else None for p in params]
        spelled = {str(p) for p in placeholders}
        if any(str(-p) in sql for p in placeholders) or any(type(p) is not int and str(p) in spelled for p in params):
            raise ValueError("a placeholder reached the SQL changed, not as the parameter it was")
        self._compiled = (sql, list(params), slots)
        return self._compiled
