"""Celery workers that crash: a roll-up taken by a worker killed mid-way is handed out again and
redone, having written nothing; roll-ups never run two at a time."""

import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.db import connection, connections

from forecasting.refresh import ROLLUP_LOCK
from tests.processes import database_url, flushed_broker, log_tail, needs_postgresql, until

ROOT = Path(__file__).resolve().parent.parent.parent
BROKER = os.environ.get("TEST_WORKER_BROKER_URL", "redis://127.0.0.1:6379/12")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    needs_postgresql,
    pytest.mark.xdist_group("flushes-redis"),  # each empties a Redis database: never beside the other
]


def _lock_key() -> int:
    import zlib

    return zlib.crc32(ROLLUP_LOCK.encode()) - 2**31


def _waiting_for_the_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


@pytest.fixture
def broker():
    return flushed_broker(BROKER)


def _worker(queue, log):
    """A worker whose log goes to a file: a pipe nobody reads fills up and stops the worker mid-task."""
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CONN_MAX_AGE": "0",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1", "--loglevel", "INFO"]
    # a session of its own, so that the whole worker (parent and pool process) can be killed at once
    with log.open("ab") as out:
        return subprocess.Popen(
            [*command, "-Q", queue, "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=out,
            start_new_session=True,
        )


def _blocked_on(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            [f"%{table}%"],
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_rollup_leaves_nothing_half_done_and_the_rollup_is_redone(
    broker, bare, monkeypatch, tmp_path
):
    import psycopg
    from celery import Celery

    from forecasting.models import StageStat

    bare(stage=3, amount="1000000")
    StageStat.objects.all().delete()
    queue = f"crm-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # it would win over broker= below
    sender = Celery(broker=broker)
    # Another session locks the anomalies table, the roll-up's last step: the worker writes the
    # stage statistics and more, then waits there, and is killed.
    blocker = psycopg.connect(database_url().replace("postgres://", "postgresql://"), autocommit=False)
    blocker.execute("LOCK TABLE forecasting_anomaly IN ACCESS EXCLUSIVE MODE")
    log = tmp_path / "worker.log"
    first = _worker(queue, log)
    try:
        sender.send_task("forecasting.rollup_all", kwargs={"full": True}, queue=queue)
        reached = until(lambda: _blocked_on("forecasting_anomaly"), 120)
        assert reached, f"the roll-up never reached its last step; the worker said:\n{log_tail(log)}"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        blocker.rollback()
        blocker.close()
    assert not StageStat.objects.exists()  # written by the killed worker, never committed: the old tables

    second = _worker(queue, log)
    try:
        assert until(StageStat.objects.exists, 120), f"the roll-up was not redone; the worker said:\n{log_tail(log)}"
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(10)


def test_two_rollups_never_run_at_once(bare):
    """The second waits for the first (today they overlapped and one died on a unique key)."""
    from forecasting.refresh import refresh_all

    bare(stage=2)
    errors, order = [], []

    def run(name):
        try:
            refresh_all(full=True)
            order.append(name)
        except Exception as error:  # noqa: BLE001 - handed to the test
            errors.append(error)
        finally:
            connections.close_all()

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_lock_key()])
    threads = [threading.Thread(target=run, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    assert until(lambda: _waiting_for_the_lock() == 2, 30)  # both wait: neither runs while the lock is held
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [_lock_key()])
    for t in threads:
        t.join(60)
    assert not errors and sorted(order) == ["a", "b"]
