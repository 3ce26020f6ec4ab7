import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError, connection

from config.celery import app
from forecasting import tasks
from forecasting.models import Anomaly, FunnelSnapshot, WinModel
from tests.processes import database_url, log_tail, until

ROOT = Path(__file__).resolve().parents[2]


def test_tasks_are_acked_late_rejected_on_worker_loss_and_retried_on_transient_errors():
    for task in (tasks.rollup_all, tasks.project_changed):
        assert task.acks_late and task.reject_on_worker_lost
        assert OperationalError in task.autoretry_for and task.max_retries == 5 and task.retry_backoff
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST


def test_beat_schedule_runs_the_rollup_at_the_configured_interval():
    entry = settings.CELERY_BEAT_SCHEDULE["deal-control-rollup"]
    assert entry["task"] == tasks.rollup_all.name
    assert entry["schedule"] == settings.FORECAST_ROLLUP_MINUTES * 60
    assert tasks.rollup_all.name in app.tasks
    code = "from django.conf import settings; print(settings.CELERY_BEAT_SCHEDULE['deal-control-rollup']['schedule'])"
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "FORECAST_ROLLUP_MINUTES": "5"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "300.0"


@pytest.mark.django_db
def test_a_project_change_is_enqueued_on_commit_and_computed_eagerly_without_a_broker(
    make_project, rep, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        project = make_project()
    assert callbacks, "nothing was queued for after the commit"
    assert not FunnelSnapshot.objects.exists()  # not before the commit
    for callback in callbacks:
        callback()
    row = FunnelSnapshot.objects.get(owner=rep)
    assert (row.stage.number, row.count, row.amount) == (1, 1, project.amount_cny)


@pytest.mark.django_db
def test_forecast_now_runs_the_same_code_synchronously(bare):
    bare(stage=3, customer_stage=1)
    out = StringIO()
    call_command("forecast_now", stdout=out)
    assert "funnel" in out.getvalue() and "anomalies" in out.getvalue()
    assert FunnelSnapshot.objects.exists() and WinModel.objects.exists()
    assert Anomaly.objects.filter(kind="tracks_disagree").exists()


@pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs Redis and PostgreSQL (CI's second run)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_the_scheduled_rollup_end_to_end(make_project, rep, tmp_path):
    """A worker with its beat, started here, picks up the scheduled roll-up from Redis and writes the tables."""
    project = make_project()
    FunnelSnapshot.objects.all().delete()  # whatever the eager path wrote: the worker must write it again
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "FORECAST_ROLLUP_MINUTES": "0.05",
        "CELERY_QUEUE": f"crm-test-{os.getpid()}-{time.time_ns()}",
        "CONN_MAX_AGE": "0",
    }
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--beat", "--pool=solo", "--loglevel=INFO"]
    # The log goes to a file, not a pipe: a pipe read only at the end fills up and stops a chatty worker.
    with log.open("ab") as out:
        worker = subprocess.Popen(
            [
                *command,
                f"--schedule={tmp_path / 'beat-schedule'}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wrote = until(lambda: worker.poll() is not None or FunnelSnapshot.objects.filter(owner=rep).exists(), 180)
        assert worker.poll() is None, f"the worker stopped; it said:\n{log_tail(log)}"
        assert wrote, f"the worker wrote no funnel within 180 s; {_waits()}; it said:\n{log_tail(log)}"
        row = FunnelSnapshot.objects.get(owner=rep)
        assert (row.count, row.amount) == (1, project.amount_cny)
        assert WinModel.objects.exists()
    finally:
        worker.terminate()
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(10)
    output = log.read_text(errors="replace")
    assert "forecasting.rollup_all" in output and "succeeded" in output, log_tail(log)


def _waits() -> str:
    """What the database's sessions wait on, for a failure's message."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 120) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        sessions = cursor.fetchall()
        cursor.execute(
            "SELECT pid, objid, granted FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        locks = cursor.fetchall()
    return f"sessions {sessions}, advisory locks {locks}"
