"""What deal-control pages show is current after the change that affects it, with no 重新计算 and no beat."""

import pytest
from django.urls import reverse

from demo.forms import demo_stage_form
from forecasting.models import RepMonth
from pipeline.models import StageDefinition

pytestmark = pytest.mark.django_db


def _card(client, user, rep):
    client.force_login(user)
    response = client.get(reverse("forecasting:scorecard", args=[rep.pk]))
    assert response.status_code == 200
    return response


def test_the_scorecard_counts_advances_and_the_win_the_moment_they_happen(
    client, rep, manager, project, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2, 9):
            response = client.post(
                reverse("pipeline:project-advance", args=[project.pk]),
                {"to_stage": StageDefinition.objects.get(number=number).pk, "override_reason": "客户急需,先推进"},
            )
            assert response.status_code == 302
        response = client.post(
            reverse("pipeline:project-close", args=[project.pk]),
            {"outcome": "won", "note": "", "success_story": "样板工程打动客户", "override_reason": "合同已签"},
        )
        assert response.status_code == 302
    card = _card(client, rep, rep).context["card"]
    assert card.advances == 7 and card.won == 1


def test_a_reopened_win_leaves_the_month_it_was_won(client, rep, manager, project, django_capture_on_commit_callbacks):
    from pipeline import services

    with django_capture_on_commit_callbacks(execute=True):
        services.project_close(project=project, outcome="won", by=manager, override_reason="合同已签")
    assert RepMonth.objects.get(owner=rep).won == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.project_reopen(project=project, by=manager, reason="误操作")
    assert not RepMonth.objects.filter(owner=rep, won__gt=0).exists()


def test_a_visit_report_counts_as_a_visit_once_it_is_written(client, rep, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        demo_stage_form("F05", project=project, by=rep, status="submitted")
        demo_stage_form("F01", project=project, by=rep, status="draft")
    card = _card(client, rep, rep).context["card"]
    assert card.visits == 1 and card.calls == 1 and card.forms == 2 and card.forms_submitted == 1


def test_another_reps_card_lights_the_team_tab_not_my_scorecard(client, rep, manager, director):
    page = _card(client, manager, rep).content.decode()
    assert 'nav-link active" href="/control/teams/' in page
    assert 'nav-link active" href="/control/reps/' not in page
    page = _card(client, director, rep).content.decode()
    assert 'nav-link active" href="/control/company/' in page
    page = _card(client, rep, rep).content.decode()
    assert f'nav-link active" href="/control/reps/{rep.pk}/' in page
