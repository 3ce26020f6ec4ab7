import pytest

from notifications.models import Robot
from tests.notifications.servers import RobotServer, SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
            }
        }
        yield server


@pytest.fixture
def robots_server(settings):
    settings.NOTIFY_ROBOT_HOSTS = ["127.0.0.1"]
    with RobotServer() as server:
        yield server


@pytest.fixture
def team_robots(robots_server, team_a, manager):
    """All three platforms' robots on team A's group chats (钉钉 and 飞书 signed)."""
    return [
        Robot.objects.create(
            kind=kind,
            url=robots_server.url(kind),
            secret=RobotServer.secrets.get(kind, ""),
            team=team_a,
            created_by=manager,
        )
        for kind in ("wecom", "dingtalk", "feishu")
    ]


@pytest.fixture
def emails(rep, manager, teammate):
    for person in (rep, manager, teammate):
        person.email = f"{person.username}@example.com"
        person.save()
