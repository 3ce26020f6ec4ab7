"""The audit trail: every model a user edits keeps who changed what, when, from what to what."""

import pytest
from django.apps import apps
from django.urls import reverse

pytestmark = pytest.mark.django_db

OURS = {"core", "accounts", "customers", "contacts", "pipeline", "forms_toolkit", "forecasting"}
# Tables nobody edits: computed from the rest, or themselves an append-only record of events.
NOT_EDITED = {
    "core.NumberSequence",  # the last number handed out
    "core.DataExport",  # the record of exports itself, never changed
    "pipeline.StageChange",  # each stage move, by whom, appended
    "pipeline.CustomerStageObservation",  # each observation of the customer's stage, appended
    "forms_toolkit.Signoff",  # each signature, appended
    "forms_toolkit.FormRecord",  # a copy of what every form shares, written with the form (its history is the form's)
    "forecasting.StageStat",
    "forecasting.FunnelSnapshot",
    "forecasting.ForecastRollup",
    "forecasting.RepMonth",
    "forecasting.ForecastSnapshot",
    "forecasting.WinModel",
    "forecasting.WinBacktest",
}


def test_every_model_a_user_edits_has_a_history():
    missing = sorted(
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in OURS
        and not model.__name__.startswith("Historical")
        and model._meta.label not in NOT_EDITED
        and not hasattr(model, "history")
    )
    assert missing == []


def test_tasks_done_and_undone_members_and_condition_ticks_say_who(client, rep, manager, project, stage, teammate):
    from pipeline import services
    from pipeline.models import ConditionCheck, ProjectMember, Task

    client.force_login(rep)
    task = Task.objects.filter(project=project).first()
    client.post(reverse("pipeline:task-toggle", args=[task.pk]), {"done": "1"})
    client.post(reverse("pipeline:task-toggle", args=[task.pk]), {"done": "0"})
    done, undone = list(task.history.order_by("history_id"))[-2:]
    assert done.done_at is not None and undone.done_at is None
    assert done.history_user == rep and undone.history_user == rep

    client.force_login(manager)
    client.post(reverse("pipeline:member-add", args=[project.pk]), {"user": teammate.pk, "role": "engineer"})
    member = ProjectMember.objects.get(project=project, user=teammate)
    client.post(reverse("pipeline:member-remove", args=[project.pk, member.pk]))
    kinds = [
        (h.history_type, h.history_user) for h in ProjectMember.history.filter(id=member.pk).order_by("history_id")
    ]
    assert kinds == [("+", manager), ("-", manager)]

    condition = next(c for c in stage(1).conditions.all() if c.kind == "checklist")
    url = reverse("pipeline:condition-toggle", args=[project.pk, condition.pk])
    client.post(url, {"done": "1"})
    client.post(url, {"done": "0"})
    ticks = ConditionCheck.history.filter(project=project, condition=condition).order_by("history_id")
    assert [(h.history_type, h.history_user) for h in ticks] == [("+", manager), ("-", manager)]  # kept after untick
    assert services  # the services above were reached through the pages


def test_a_buying_center_attitude_change_and_a_paper_row_are_in_history(client, rep, project, contact):
    from demo.forms import demo_stage_form
    from pipeline.models import BuyingCenterMember

    member = BuyingCenterMember.objects.create(
        project=project,
        contact=contact,
        level="decision",
        department="user",
        role="decision_maker",
        attitude="neutral",
        closeness="frequent",
    )
    member.attitude = "opponent"
    member.save()
    assert [h.attitude for h in member.history.order_by("history_id")] == ["neutral", "opponent"]

    form = demo_stage_form("F01", project=project, by=rep, status="draft")
    row = form.rows.first()
    row.conversation = "改过的谈话记录"
    row.save()
    assert row.history.order_by("-history_id").first().conversation == "改过的谈话记录"


def test_an_admins_edit_of_a_users_role_team_and_active_flag_keeps_old_and_new(client, admin_user, rep, team_b):
    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[rep.pk])
    page = client.get(url)
    assert page.status_code == 200
    rep.role, rep.team, rep.is_active = "manager", team_b, False
    rep._history_user = admin_user
    rep.save()
    newest, before = rep.history.order_by("-history_id")[:2]
    assert (before.role, before.team_id, before.is_active) == ("rep", rep.history.earliest("history_id").team_id, True)
    assert (newest.role, newest.team_id, newest.is_active, newest.history_user) == (
        "manager",
        team_b.pk,
        False,
        admin_user,
    )
    assert client.get(reverse("admin:accounts_user_history", args=[rep.pk])).status_code == 200


def test_an_export_records_who_took_which_table(client, director):
    from core.models import DataExport

    client.force_login(director)
    client.get(reverse("forecasting:company"), {"export": "funnel", "format": "xlsx"})
    record = DataExport.objects.get()
    assert (record.by, record.table, record.format) == (director, "funnel", "xlsx")


def test_anomaly_acknowledge_and_resolve_keep_a_history(manager, rep, project, customer):
    from django.utils import timezone

    from forecasting import services
    from forecasting.models import Anomaly

    now = timezone.now()
    anomaly = Anomaly.objects.create(
        key="a-1",
        kind="stalled",
        severity="high",
        project=project,
        customer=customer,
        team=project.team,
        owner=rep,
        since=now,
        detected_at=now,
        details={"stage": 1, "entered": now.isoformat(), "norm": 20},
    )
    services.anomaly_acknowledge(anomaly=anomaly, by=manager)
    services.anomaly_resolve(anomaly=anomaly, by=manager, note="已与客户确认")
    assert [h.status for h in anomaly.history.order_by("history_id")] == ["open", "acknowledged", "resolved"]


def test_a_change_to_a_paper_table_row_shows_in_the_forms_own_history(client, rep, project):
    from demo.forms import demo_stage_form
    from tests.test_concurrent_edits import _opened

    form = demo_stage_form("F01", project=project, by=rep, status="draft")
    client.force_login(rep)
    url = reverse("forms_toolkit:update", args=["F01", form.pk])
    body = _opened(client, url)
    row = next(name for name in body if name.endswith("-0-conversation"))
    body[row] = ["客户说下周再谈"]
    assert client.post(url, body).status_code == 302
    page = client.get(form.get_absolute_url()).content.decode()
    assert "电话记录:修改一行" in page and "客户说下周再谈" in page
