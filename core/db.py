"""Database session settings for the few large batch statements (PostgreSQL only)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


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
