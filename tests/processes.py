"""For tests that start real processes (web servers, Celery workers) on the test database."""

import pytest
from django.conf import settings
from django.db import connection

needs_postgresql = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="other processes share a server database (the PostgreSQL run)",
)


def database_url() -> str:
    """The test database, as another process's DATABASE_URL."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def until(check, seconds) -> bool:
    """Whether ``check()`` came true within ``seconds`` (asked every 0.2 s)."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def flushed_broker(url: str) -> str:
    """A Redis database emptied for a test's workers (the test is skipped without Redis)."""
    import redis

    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis for the broker")
    return url


def log_tail(log, lines=60) -> str:
    """The last lines of a process's log file, for a failure's message."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
