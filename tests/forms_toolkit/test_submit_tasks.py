"""Handing a form in makes its tasks once: again after a return, or on a double click, makes none twice."""

import pytest
from django.urls import reverse

from demo.forms import demo_stage_form
from forms_toolkit import services
from pipeline.models import Task


def _form_tasks(project):
    return list(Task.objects.filter(project=project).exclude(kind="stage").order_by("pk").values_list("kind", "title"))


@pytest.mark.parametrize("code", ["F01", "F05"])
def test_resubmitting_a_returned_form_does_not_make_its_tasks_again(rep, manager, project, code):
    form = demo_stage_form(code, project=project, by=rep, status="returned", approver=manager)
    before = _form_tasks(project)
    assert before
    services.stage_form_submit(form=form, by=rep)
    assert _form_tasks(project) == before


def test_a_promise_edited_after_a_return_updates_its_task(rep, manager, project):
    form = demo_stage_form("F05", project=project, by=rep, status="returned", approver=manager)
    commitment = form.commitments.get()
    commitment.promise = "两周内提供参观安排"
    commitment.save()
    services.stage_form_submit(form=form, by=rep)
    titles = [title for _kind, title in _form_tasks(project)]
    assert "两周内提供参观安排" in titles and "一周内提供参观安排" not in titles


def test_a_promise_removed_after_a_return_takes_its_open_task_with_it(rep, manager, project):
    form = demo_stage_form("F01", project=project, by=rep, status="returned", approver=manager)
    form.rows.update(promise="")
    services.stage_form_submit(form=form, by=rep)
    assert [kind for kind, _t in _form_tasks(project)] == ["next_contact"]


def test_a_done_task_stays_done_when_the_form_is_handed_in_again(rep, manager, project):
    form = demo_stage_form("F05", project=project, by=rep, status="returned", approver=manager)
    task = Task.objects.get(project=project, kind="promise")
    task.done_at = task.created_at
    task.save()
    services.stage_form_submit(form=form, by=rep)
    task.refresh_from_db()
    assert task.done_at is not None


def test_a_double_click_on_submit_hands_in_once(client, rep, project):
    form = demo_stage_form("F05", project=project, by=rep, status="draft")
    client.force_login(rep)
    url = reverse("forms_toolkit:submit", args=["F05", form.pk])
    first = client.post(url)
    second = client.post(url, follow=True)
    assert first.status_code == 302
    assert "这张表单已经提交" in second.content.decode()
    assert len(_form_tasks(project)) == 2
    form.refresh_from_db()
    assert form.version == 2


def test_the_submit_button_sends_once(client, rep, project):
    form = demo_stage_form("F05", project=project, by=rep, status="draft")
    client.force_login(rep)
    page = client.get(form.get_absolute_url()).content.decode()
    assert "data-submit-once" in page and "js/app.js" in page
