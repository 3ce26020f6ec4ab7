"""Database session settings for the few large batch statements (PostgreSQL only)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connection


@contextmanager
def session_settings(**values):
    """``SET`` these PostgreSQL settings on this connection for the block, ``RESET`` them after.

    Left out inside a transaction (an error there would leave the ``RESET`` nowhere to run), and on
    other databases: the settings change how a statement runs, never what it answers.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(f"SET {name} = %s", [str(value)])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name in values:
                cursor.execute(f"RESET {name}")
