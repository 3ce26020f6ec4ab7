"""The task list: the scope's tasks, filtered and sorted, exported as the page shows them."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline import services
from pipeline.models import Task

pytestmark = pytest.mark.django_db


def _task(project, owner, title, days, done=False):
    task = services.task_create(
        customer=project.customer,
        project=project,
        title=title,
        owner=owner,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
        by=owner,
    )
    if done:
        services.task_set_done(task=task, done=True)
    return task


def test_the_list_shows_the_scopes_tasks_and_filters_them(client_for, project, rep, teammate, other_rep, manager):
    from tests.factories import CustomerFactory

    Task.objects.all().delete()
    _task(project, rep, "送样品", -2)
    _task(project, rep, "回访", 3, done=True)
    theirs_customer = CustomerFactory(owner=other_rep)
    Task.objects.create(
        customer=theirs_customer,
        title="别队的任务",
        owner=other_rep,
        team=other_rep.team,
        due_date=timezone.localdate(),
        created_by=other_rep,
    )
    page = client_for(manager).get(reverse("pipeline:task-list")).content.decode()
    assert "送样品" in page and "回访" in page and "别队的任务" not in page
    found = client_for(manager).get(reverse("pipeline:task-list") + "?q=样品").content.decode()
    assert "送样品" in found and "回访" not in found
    overdue = client_for(manager).get(reverse("pipeline:task-list") + "?state=overdue").content.decode()
    assert "送样品" in overdue and "回访" not in overdue
    assert "送样品" in client_for(teammate).get(reverse("pipeline:task-list")).content.decode()  # the team's
    assert "送样品" not in client_for(other_rep).get(reverse("pipeline:task-list")).content.decode()


def test_the_export_follows_the_filter_and_the_sort(client_for, project, rep):
    Task.objects.all().delete()
    _task(project, rep, "早", 1)
    _task(project, rep, "晚", 9)
    _task(project, rep, "做完了", 2, done=True)
    response = client_for(rep).get(reverse("pipeline:task-list") + "?state=open&ordering=-due_date&format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["任务", "任务类型", "到期日"]
    assert [r[0] for r in rows[1:]] == ["晚", "早"]
    assert rows[1][3] == "未完成" and rows[1][5] == rep.display_name and rows[1][6] == project.number
