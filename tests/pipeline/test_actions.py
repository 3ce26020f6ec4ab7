from django.urls import reverse

from pipeline.models import Project


def test_recording_the_customer_stage_from_its_page(client, rep, project, stage):
    client.force_login(rep)
    page = client.get(reverse("pipeline:project-customer-stage", args=[project.pk]))
    assert page.context["form"]["stage"].value() in (stage(1), stage(1).pk)
    response = client.post(
        reverse("pipeline:project-customer-stage", args=[project.pk]),
        {"stage": stage(3).pk, "observed_on": "2026-11-01", "note": "已发布招标公告"},
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).customer_stage == stage(3)


def test_a_future_observation_is_refused_beside_the_field(client, rep, project, stage):
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:project-customer-stage", args=[project.pk]),
        {"stage": stage(3).pk, "observed_on": "2099-01-01", "note": "保留"},
    )
    assert "observed_on" in response.context["form"].errors and "保留" in response.content.decode()


def test_stepping_back_without_a_reason_keeps_the_page(client, manager, project, stage):
    from pipeline import services

    services.project_advance_stage(project=project, to_stage=stage(3), by=manager, override_reason="演示")
    client.force_login(manager)
    url = reverse("pipeline:project-step-back", args=[project.pk])
    assert "reason" in client.post(url, {"to_stage": stage(2).pk, "reason": ""}).context["form"].errors
    assert client.post(url, {"to_stage": stage(2).pk, "reason": "预算冻结"}).status_code == 302
    assert Project.objects.get(pk=project.pk).stage == stage(2)


def test_reopening_is_a_managers_action(client, rep, manager, project):
    from pipeline import services

    services.project_close(project=project, outcome="lost", by=rep, lost_reason="price", note="价格")
    client.force_login(manager)
    assert client.post(reverse("pipeline:project-reopen", args=[project.pk]), {"reason": "误操作"}).status_code == 302
    assert Project.objects.get(pk=project.pk).status == "open"


def test_project_team_members_are_added_once_and_the_owner_stays(client, rep, teammate, project):
    from pipeline.models import ProjectMember

    client.force_login(rep)
    url = reverse("pipeline:member-add", args=[project.pk])
    client.post(url, {"user": teammate.pk, "role": "engineer"})
    client.post(url, {"user": teammate.pk, "role": "project_manager"})
    assert ProjectMember.objects.filter(project=project, user=teammate).count() == 1
    owner = ProjectMember.objects.get(project=project, user=rep)
    client.post(reverse("pipeline:member-remove", args=[project.pk, owner.pk]))
    assert ProjectMember.objects.filter(pk=owner.pk).exists()
    mate = ProjectMember.objects.get(project=project, user=teammate)
    client.post(reverse("pipeline:member-remove", args=[project.pk, mate.pk]))
    assert not ProjectMember.objects.filter(pk=mate.pk).exists()


def test_a_refused_task_or_member_comes_back_on_the_paperwork_section_as_typed(client, rep, project):
    from pipeline.models import Task

    client.force_login(rep)
    before = Task.objects.count()
    response = client.post(
        reverse("pipeline:task-create", args=[project.pk]),
        {"title": "", "kind": "other", "owner": rep.pk, "due_date": "2026-13-45"},
    )
    page = response.content.decode()
    assert response.status_code == 200 and Task.objects.count() == before
    assert "各阶段表单" in page and 'value="2026-13-45"' in page  # the section, with the typed date kept
    assert 'id="id_title"' in page and "is-invalid" in page
    response = client.post(reverse("pipeline:member-add", args=[project.pk]), {"user": "", "role": "engineer"})
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert '<option value="engineer" selected>' in response.content.decode()
