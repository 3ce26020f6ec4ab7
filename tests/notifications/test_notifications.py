"""Notifications: who is told of what, by which channel, once; over a real SMTP server and robot
webhooks that check each platform's format and signature."""

import datetime

from django.urls import reverse
from django.utils import timezone

from demo.forms import demo_stage_form
from forms_toolkit import services as form_services
from notifications import digest, sending, services
from notifications.models import Delivery, Notification, Robot
from tests.factories import UserFactory


def _submit(project, by, code="F05"):
    form = demo_stage_form(code, project=project, by=by, status="draft")
    form_services.stage_form_submit(form=form, by=by)
    return form


def test_a_submitted_f05_reaches_the_managers_bell_email_and_each_robot_once(
    project, rep, manager, emails, smtp, team_robots, robots_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        form = _submit(project, rep)
    told = Notification.objects.get(recipient=manager)
    assert told.event == "signature" and form.number in told.title and told.read_at is None
    assert not Notification.objects.filter(recipient=rep).exists()  # not the one who handed it in

    [mail] = smtp.messages
    assert mail["To"] == "bob@example.com"
    assert "待您签字" in mail["Subject"] and form.number in mail["Subject"]
    body = mail.get_body().get_content()
    assert "等待「领导签字」签字" in body and f"http://localhost:8000{form.get_absolute_url()}" in body

    assert sorted(kind for kind, _payload in robots_server.accepted) == ["dingtalk", "feishu", "wecom"]
    assert robots_server.refused == []
    wecom = dict(robots_server.accepted)["wecom"]
    assert form.number in wecom["markdown"]["content"] and "bob" not in wecom["markdown"]["content"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}


def test_the_same_event_twice_tells_nobody_twice_and_a_delivery_is_sent_once(
    project, rep, manager, emails, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        form = _submit(project, rep)
        key = Notification.objects.get().key
        assert services.notify(event="signature", recipients=[manager], key=key, title="again") == 0
    delivery = Delivery.objects.get()
    assert sending.attempt(delivery.pk) is None  # a second copy of the task: already sent
    assert len(smtp.messages) == 1 and Notification.objects.count() == 1
    assert form.number in smtp.messages[0]["Subject"]


def test_a_failing_channel_never_blocks_the_change_and_is_retried_with_backoff(
    project, rep, manager, emails, settings, team_robots, robots_server, django_capture_on_commit_callbacks
):
    from tests.notifications.servers import free_port

    settings.MAILERS = {  # nobody listens there
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }
    robots_server.fail_next = 1  # the first robot's platform answers with an error
    with django_capture_on_commit_callbacks(execute=True):
        form = _submit(project, rep)
    form.refresh_from_db()
    assert form.status == "submitted"  # the change stands
    email = Delivery.objects.get(channel="email")
    assert email.status == "pending" and email.attempts == 1 and "Connection refused" in email.last_error
    assert email.next_attempt_at > timezone.now() + datetime.timedelta(seconds=25)  # 30 s, then 60 s …
    failed_robot = Delivery.objects.exclude(channel="email").get(status="pending")
    assert "busy" in failed_robot.last_error
    assert Delivery.objects.filter(status="sent").count() == 2  # the other robots went out
    # The retry succeeds and sends the robot once; the sweep finds what is due.
    assert sending.attempt(failed_robot.pk) is None
    assert Delivery.objects.get(pk=failed_robot.pk).status == "sent"
    assert len(robots_server.accepted) == 3
    assert [sending.backoff(n) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]


def test_a_claim_left_by_a_dead_worker_is_waited_out_then_sent(project, rep, manager, emails, smtp, settings):
    settings.NOTIFY_SEND_LEASE_SECONDS = 60
    form = _submit(project, rep)
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=timezone.now())
    wait = sending.attempt(delivery.pk)
    assert 55 <= wait <= 62 and smtp.messages == []  # another worker may still be sending it
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - datetime.timedelta(seconds=61))
    assert delivery.pk in sending.due_ids()
    assert sending.attempt(delivery.pk) is None
    assert len(smtp.messages) == 1 and form.number in smtp.messages[0]["Subject"]


def test_each_person_chooses_the_channels_of_each_event(
    client, project, rep, manager, emails, smtp, team_robots, robots_server, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    data = {"save": "channels", "signature__app": "on", "decided__email": "on"}
    assert client.post(reverse("notifications:settings"), data).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        _submit(project, rep)
    assert smtp.messages == [] and robots_server.accepted == []
    assert Notification.objects.get(recipient=manager).in_app
    assert manager.channel_choice.history.count() == 1  # who changed it, kept


def test_a_returned_form_tells_its_filler_with_the_advice_and_an_approved_one_too(
    project, rep, manager, emails, smtp, django_capture_on_commit_callbacks
):
    form = _submit(project, rep)
    with django_capture_on_commit_callbacks(execute=True):
        form_services.stage_form_decide(form=form, by=manager, approve=False, advice="请补充竞争对手报价")
    told = Notification.objects.get(recipient=rep)
    assert told.event == "decided" and "被退回" in told.title and "请补充竞争对手报价" in told.body
    assert "请补充竞争对手报价" in smtp.messages[-1].get_body().get_content()
    form.refresh_from_db()
    form_services.stage_form_submit(form=form, by=rep)
    with django_capture_on_commit_callbacks(execute=True):
        form_services.stage_form_decide(form=form, by=manager, approve=True)
    assert "已批准" in Notification.objects.filter(recipient=rep).latest("pk").title
    # handed in twice: the manager was asked twice (one event each), never twice for one
    assert Notification.objects.filter(recipient=manager, event="signature").count() == 2


def test_a_managers_own_form_waits_for_the_directors(project, manager, director):
    form = demo_stage_form("F05", project=project, by=manager, status="draft")
    form_services.stage_form_submit(form=form, by=manager)
    assert list(Notification.objects.values_list("recipient", flat=True)) == [director.pk]


def test_a_gate_overridden_tells_the_directors(project, manager, director, stage):
    from pipeline.services import project_advance_stage

    project_advance_stage(project=project, to_stage=stage(3), by=manager, override_reason="客户高层已口头确认")
    told = Notification.objects.get(recipient=director)
    assert told.event == "override" and "客户高层已口头确认" in told.body and project.name in told.title
    assert not Notification.objects.filter(recipient=manager).exists()


def test_being_put_on_a_project_team_is_told(project, manager, other_rep):
    from pipeline.services import project_member_add

    project_member_add(project=project, user=other_rep, role="engineer", by=manager)
    told = Notification.objects.get(recipient=other_rep)
    assert told.event == "member" and project.name in told.title and "技术工程师" in told.body


def test_high_severity_anomalies_are_told_once_per_person_per_detection(project, rep, manager, teammate):
    from forecasting import anomalies
    from forecasting.models import Anomaly

    hits = {
        f"k{i}": anomalies.Hit(
            key=f"k{i}",
            kind="stalled",
            severity=severity,
            project_id=project.pk,
            customer_id=project.customer_id,
            team_id=project.team_id,
            owner_id=rep.pk,
            since=timezone.now(),
            details={"stage": 1, "entered": "2026-01-01", "norm": 5},
        )
        for i, severity in enumerate(["high", "high", "medium"])
    }
    anomalies._sync(hits, scope=Anomaly.objects.all(), now=timezone.now())
    assert Notification.objects.filter(recipient=manager).count() == 1
    assert "2 项严重异常" in Notification.objects.get(recipient=manager).title
    assert Notification.objects.filter(recipient=rep).count() == 1
    assert not Notification.objects.filter(recipient=teammate).exists()
    anomalies._sync(hits, scope=Anomaly.objects.all(), now=timezone.now())  # found again: nothing new
    assert Notification.objects.count() == 2


def test_the_morning_digest_lists_overdue_and_tomorrows_tasks_once_a_day(project, rep, manager):
    from pipeline.services import task_create

    today = timezone.localdate()
    for title, days in [("寄送样品", -2), ("回访采购部", 1), ("下周的事", 5)]:
        task_create(
            customer=project.customer,
            project=project,
            title=title,
            owner=rep,
            due_date=today + datetime.timedelta(days=days),
            by=rep,
        )
    told = digest.send(today=today)
    mine = Notification.objects.get(recipient=rep, event="digest")
    assert (
        "已逾期" in mine.title and "寄送样品" in mine.body and "回访采购部" in mine.body and "下周的事" not in mine.body
    )
    assert digest.send(today=today) == 0 and told >= 1  # the beat firing twice tells nobody twice


def test_the_digest_runs_at_eight_in_the_morning_local_time(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["task-digest"]["schedule"]
    assert schedule.hour == {8} and schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE == "Asia/Shanghai"


def test_the_bell_counts_unread_and_opening_one_marks_it_read(client, rep, manager, project):
    _submit(project, rep)
    client.force_login(manager)
    assert ">1<" in client.get(reverse("notifications:bell")).content.decode()
    told = Notification.objects.get(recipient=manager)
    page = client.get(reverse("notifications:list")).content.decode()
    assert told.title in page
    response = client.get(reverse("notifications:open", args=[told.pk]))
    assert response.status_code == 302 and response.url == told.url
    assert client.get(reverse("notifications:bell")).content.decode().strip() == ""
    client.force_login(rep)  # someone else's notification: not found
    assert client.get(reverse("notifications:open", args=[told.pk])).status_code == 404


def test_mark_all_read(client, rep, manager, project):
    _submit(project, rep)
    _submit(project, rep)
    client.force_login(manager)
    client.post(reverse("notifications:read"), {"all": "1"})
    assert not Notification.objects.filter(recipient=manager, read_at__isnull=True).exists()


def test_robots_are_taken_only_on_their_platforms_hosts_with_the_reason_in_chinese(client, manager, rep, team_a):
    client.force_login(manager)
    typed = {"save": "robot", "kind": "dingtalk", "name": "华东群", "url": "http://10.0.0.5/admin", "secret": ""}
    response = client.post(reverse("notifications:settings"), typed)
    assert response.status_code == 400
    page = response.content.decode()
    assert "这不是钉钉群机器人的地址" in page and "http://10.0.0.5/admin" in page  # what was typed stays
    typed |= {"url": "https://oapi.dingtalk.com/robot/send?access_token=abc", "secret": "SEC1", "for_team": "on"}
    assert client.post(reverse("notifications:settings"), typed).status_code == 302
    robot = Robot.objects.get()
    assert robot.team == team_a and robot.user is None and robot.history.get().history_user == manager
    wecom = {
        "save": "robot",
        "kind": "wecom",
        "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",
        "secret": "s",
    }
    assert "没有加签密钥" in client.post(reverse("notifications:settings"), wecom).content.decode()
    # a rep adds their own, never the team's
    client.force_login(rep)
    own = wecom | {"secret": "", "for_team": "on"}
    assert client.post(reverse("notifications:settings"), own).status_code == 302
    assert Robot.objects.get(user=rep).team is None
    assert client.post(reverse("notifications:robot-remove", args=[robot.pk])).status_code == 403


def test_a_robot_of_another_team_is_never_told_this_teams_events(
    project, rep, manager, team_b, other_manager, robots_server, django_capture_on_commit_callbacks
):
    Robot.objects.create(kind="wecom", url=robots_server.url("wecom"), team=team_b, created_by=other_manager)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(project, rep)
    assert robots_server.accepted == [] and not Delivery.objects.exists()


def test_inactive_people_are_not_told(project, rep, manager):
    UserFactory(username="gone", role="manager", team=rep.team, is_active=False)
    _submit(project, rep)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["bob"]
