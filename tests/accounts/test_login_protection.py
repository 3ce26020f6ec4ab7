"""django-axes: wrong passwords lock a username from one address; admins unlock; every try is kept."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _try(client, password, *, url=None, username="alice"):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_username_even_against_the_right_one(client, rep):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert _try(client, "wrong").status_code == 200  # the ordinary "wrong password" page
    locked = _try(client, "wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    until = timezone.localtime(timezone.now() + datetime.timedelta(minutes=15)).strftime("%H:%M")
    assert "已锁定" in page and "15 分钟后" in page and until in page
    assert 'value="alice"' in page  # the username as typed
    for _ in range(25):
        _try(client, "wrong")
    assert _try(client, "pw").status_code == 429
    assert "_auth_user_id" not in client.session
    assert AccessFailureLog.objects.filter(username="alice").count() >= 30


def test_the_admin_login_is_locked_too(client, admin_user):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "root", "password": "wrong"})
    assert _try(client, "pw", url=url, username="root").status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_and_another_username_are_not_locked(client, rep, teammate):
    for _ in range(5):
        _try(client, "wrong")
    assert _try(client, "pw", username="amy").status_code == 302
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "alice", "password": "pw"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302


def test_the_lock_ends_after_the_cool_off_and_a_login_is_logged(client, rep):
    for _ in range(5):
        _try(client, "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _try(client, "pw").status_code == 302
    assert AccessLog.objects.filter(username="alice").exists()
    assert not AccessAttempt.objects.filter(username="alice").exists()  # a good login starts the count again


def test_an_admin_unlocks_a_user_in_the_admin(client, rep, admin_user):
    for _ in range(5):
        _try(client, "wrong")
    attempt = AccessAttempt.objects.get(username="alice")
    client.force_login(admin_user)
    changelist = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200 and "alice" in changelist.content.decode()
    client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    client.logout()
    assert _try(client, "pw").status_code == 302
