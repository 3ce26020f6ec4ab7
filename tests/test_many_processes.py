"""Two real web server processes on one database and one shared cache: what one changes, the other
honours within a second (a removed member, a logout, a stage-catalog edit)."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.processes import database_url, needs_postgresql

ROOT = Path(__file__).resolve().parent.parent
CACHE_URL = os.environ.get("TEST_SHARED_CACHE_URL", "redis://127.0.0.1:6379/13")

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    needs_postgresql,
    pytest.mark.xdist_group("flushes-redis"),  # each empties a Redis database: never beside the other
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def static_manifest():
    """Production settings serve static files from the manifest: build it once."""
    if not (ROOT / "staticfiles" / "staticfiles.json").exists():
        env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "test-only", "CACHE_URL": CACHE_URL}
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )


@pytest.fixture
def shared_cache(settings):
    """The test process writes through the same cache as the servers."""
    import redis

    try:
        redis.Redis.from_url(CACHE_URL).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis for the shared cache")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "crm",
        }
    }


@pytest.fixture
def two_servers(static_manifest, shared_cache):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
        "DATABASE_URL": database_url(),
        "CACHE_URL": CACHE_URL,
        "CACHE_KEY_PREFIX": "crm",  # as the test process's shared_cache
        "DEBUG": "0",
        "SECRET_KEY": "test-only-two-processes",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "PDF_WARM_UP": "0",
        "CONN_MAX_AGE": "0",
    }
    servers, urls = [], []
    for _ in range(2):
        port = _free_port()
        command = [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}"]
        servers.append(subprocess.Popen([*command, "--workers", "1"], cwd=ROOT, env=env, stderr=subprocess.PIPE))
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, server in zip(urls, servers, strict=True):
            for _ in range(200):
                try:
                    urllib.request.urlopen(f"{url}/accounts/login/", timeout=10)
                    break
                # refused while it starts, or slow to answer its first request on a loaded machine
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    assert server.poll() is None, server.stderr.read().decode()
                    time.sleep(0.1)
        yield urls
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


class Browser:
    """One person's cookies, sent to either server (cookies do not depend on the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        no_redirects = type("NoRedirects", (urllib.request.HTTPRedirectHandler,), {"redirect_request": lambda *a: None})
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), no_redirects)

    def get(self, url) -> int:
        try:
            return self.opener.open(url, timeout=5).status
        except urllib.error.HTTPError as error:
            return error.code

    def text(self, url) -> str:
        return self.opener.open(url, timeout=5).read().decode()

    def post(self, url, data) -> int:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        try:
            return self.opener.open(url, body, timeout=5).status
        except urllib.error.HTTPError as error:
            return error.code

    def log_in(self, server, username):
        page = self.text(f"{server}/accounts/login/")
        assert re.search(r'name="csrfmiddlewaretoken"', page)
        assert self.post(f"{server}/accounts/login/", {"username": username, "password": "pw"}) == 302


def _within_a_second(check) -> bool:
    deadline = time.monotonic() + 1
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def test_a_removed_member_a_logout_and_a_catalog_edit_reach_both_servers(
    two_servers, rep, other_rep, other_manager, make_project
):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    from pipeline.models import ProjectMember, StageDefinition
    from tests.factories import CustomerFactory

    first, second = two_servers
    for user in (rep, other_manager):  # hashed as the servers hash (the suite hashes with MD5)
        user.password = PBKDF2PasswordHasher().encode("pw", PBKDF2PasswordHasher().salt(), iterations=1000)
        user.save(update_fields=["password"])
    project = make_project(owner=other_rep, customer_=CustomerFactory(owner=other_rep))
    member = ProjectMember.objects.create(project=project, user=rep, role="engineer", team=project.team)
    url = project.get_absolute_url()

    alice, boss = Browser(), Browser()
    alice.log_in(first, "alice")
    assert alice.get(first + url) == 200 and alice.get(second + url) == 200  # the session reaches both

    # The other team's manager takes alice off the project on the first server.
    boss.log_in(second, other_manager.username)
    assert boss.post(f"{first}/projects/{project.pk}/members/{member.pk}/remove/", {}) == 302
    assert _within_a_second(lambda: alice.get(second + url) == 404 and alice.get(first + url) == 404)

    # A stage renamed (the admin, a shell: any process) is what both servers' pages and gates read.
    renamed = StageDefinition.objects.get(number=project.stage.number)
    renamed.name = "需求确认(改)"
    renamed.save()
    assert _within_a_second(lambda: all("需求确认(改)" in boss.text(s + url) for s in (first, second)))

    # Logging out on the first server ends the session on the second.
    assert alice.get(second + "/") == 200
    assert alice.post(f"{first}/accounts/logout/", {}) == 302
    assert _within_a_second(lambda: alice.get(second + "/") == 302)
