"""Notifications end to end on Redis with a real Celery worker: a submitted F05 reaches the manager's
email, bell and a robot once, even when the worker is killed in the middle of sending the email and
another one is started."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from demo.forms import demo_stage_form
from notifications.models import Delivery, Notification, Robot
from tests.notifications.servers import RobotServer, SMTPServer
from tests.processes import database_url, flushed_broker, needs_postgresql, until

ROOT = Path(__file__).resolve().parent.parent.parent
BROKER = os.environ.get("TEST_WORKER_BROKER_URL", "redis://127.0.0.1:6379/12")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    needs_postgresql,
    pytest.mark.xdist_group("flushes-redis"),  # empties a Redis database: never beside the others that do
]


@pytest.fixture
def broker():
    return flushed_broker(BROKER)


def _env(queue, smtp_port):
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_QUEUE": queue,
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CONN_MAX_AGE": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_TIMEOUT": "30",
        "NOTIFY_SEND_LEASE_SECONDS": "4",
        "SITE_URL": "https://crm.example.com",
    }


def _worker(env):
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1", "--loglevel", "INFO"]
    return subprocess.Popen(
        [*command, "-Q", env["CELERY_QUEUE"], "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # parent and pool process killed at once
    )


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def test_a_submitted_f05_is_told_once_though_the_worker_dies_mid_send(broker, project, rep, manager, team_a):
    manager.email = "bob@example.com"
    manager.save()
    queue = f"crm-test-{uuid.uuid4().hex[:8]}"
    with SMTPServer() as smtp, RobotServer() as robots:
        Robot.objects.create(kind="wecom", url=robots.url("wecom"), team=team_a, created_by=manager)
        form = demo_stage_form("F05", project=project, by=rep, status="draft")
        env = _env(queue, smtp.port)
        smtp.mailbox.hold = 60  # the first email's DATA waits: the worker is killed in the middle of it
        first = _worker(env)
        try:
            # The change, made by another process as the web server would: committed, then queued.
            submit = (
                "from forms_toolkit.models import VisitReport; from accounts.models import User; "
                "from forms_toolkit.services import stage_form_submit; "
                f"stage_form_submit(form=VisitReport.objects.get(pk={form.pk}), by=User.objects.get(pk={rep.pk}))"
            )
            subprocess.run(
                [sys.executable, "manage.py", "shell", "-c", submit], cwd=ROOT, env=env, check=True, timeout=120
            )
            assert until(smtp.mailbox.started.is_set, 60), "the worker never began sending the email"
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            _stop(first)
        assert smtp.messages == []  # the message was never accepted: its sender died in the middle
        second = _worker(env)
        try:
            assert until(lambda: len(smtp.messages) == 1, 90), "the email was not sent after the restart"
            assert until(lambda: len(robots.accepted) == 1, 30), "the robot was not told"
            time.sleep(6)  # long enough for a duplicate (lease 4 s, visibility 3 s) to show up
        finally:
            _stop(second)
        assert len(smtp.messages) == 1 and len(robots.accepted) == 1
        mail = smtp.messages[0]
        assert mail["To"] == "bob@example.com" and form.number in mail["Subject"]
        assert f"https://crm.example.com/forms/F05/{form.pk}/" in mail.get_body().get_content()
        assert Notification.objects.filter(recipient=manager).count() == 1
        email = Delivery.objects.get(channel="email")
        assert email.status == "sent" and email.attempts == 2
