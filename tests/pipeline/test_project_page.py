"""What a rep and a manager saw wrong on the project page and its actions in their first week."""

import pytest
from django.urls import reverse

from demo.forms import demo_stage_form
from pipeline import services


def _section(client, user, project, name):
    client.force_login(user)
    response = client.get(reverse("pipeline:project-section", args=[project.pk, name]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_won_project_is_no_longer_forecast_as_pipeline(client, rep, manager, project):
    services.project_close(project=project, outcome="won", by=manager, override_reason="合同已签")
    page = _section(client, rep, project, "control")
    assert "已赢单" in page and "管道" not in page


def test_a_lost_project_says_it_is_not_forecast(client, rep, project):
    services.project_close(project=project, outcome="lost", by=rep, lost_reason="price", note="价格高")
    page = _section(client, rep, project, "control")
    assert "不计入预测" in page and "管道" not in page


def test_a_visit_report_is_listed_under_the_stage_it_was_filled_in(client, rep, manager, project, stage):
    visit = demo_stage_form("F05", project=project, by=rep, status="draft")
    services.project_advance_stage(project=project, to_stage=stage(3), by=manager, override_reason="演示")
    paperwork = _section(client, rep, project, "paperwork")
    columns = paperwork.split('fw-semibold small mb-1">')[1:]
    first, third = columns[0], columns[2]
    assert first.startswith("1.") and visit.number in first
    assert third.startswith("3.") and visit.number not in third and "F05" in third  # where a new one starts


@pytest.mark.parametrize("action", ["project-advance", "project-close"])
def test_a_refused_move_says_why_once_and_reps_see_no_override_field(client, rep, project, stage, action):
    client.force_login(rep)
    url = reverse(f"pipeline:{action}", args=[project.pk])
    assert "override_reason" not in client.get(url).content.decode()
    data = {"to_stage": stage(2).pk} if action == "project-advance" else {"outcome": "won"}
    page = client.post(url, data).content.decode()
    message = "阶段条件未满足,不能推进" if action == "project-advance" else "签约成交的阶段条件未满足"
    assert page.count(message) == 1
    assert "override_reason" not in page


def test_a_manager_still_gets_the_override_field(client, manager, project):
    client.force_login(manager)
    page = client.get(reverse("pipeline:project-advance", args=[project.pk])).content.decode()
    assert 'name="override_reason"' in page
