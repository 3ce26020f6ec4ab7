import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pipeline.buying_center import buying_center_red_flags
from pipeline.models import BuyingCenterMember, Project, StageChange, Task
from pipeline.selectors import BOARD_CARDS_PER_COLUMN
from tests.factories import ContactFactory, UserFactory
from tests.pipeline.conftest import meet_stage


def test_creating_a_project_from_the_form(client, rep, customer, stage):
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:project-create"),
        {
            "customer": customer.pk,
            "name": "盾构机监测",
            "amount": "2350000",
            "currency": "CNY",
            "exchange_rate": "1",
            "expected_close_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
            "customer_stage": stage(2).pk,
        },
    )
    project = Project.objects.get(name="盾构机监测")
    assert response.url == project.get_absolute_url()
    assert project.owner == rep and project.customer_stage == stage(2) and project.stage == stage(1)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount", "-1"),
        ("amount", "很多"),
        ("expected_close_date", "2020-01-01"),
        ("exchange_rate", "7.1"),
        ("name", ""),
    ],
)
def test_bad_project_input_is_refused_beside_the_field_and_kept(client, rep, customer, stage, field, value):
    client.force_login(rep)
    data = {
        "customer": customer.pk,
        "name": "盾构机监测",
        "amount": "100",
        "currency": "CNY",
        "exchange_rate": "1",
        "expected_close_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
        "customer_stage": stage(1).pk,
        "description": "保留这段说明",
        field: value,
    }
    response = client.post(reverse("pipeline:project-create"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert "保留这段说明" in response.content.decode()
    assert not Project.objects.exists()


def test_the_advance_page_lists_the_unmet_conditions(client, rep, project, stage):
    client.force_login(rep)
    html = client.get(reverse("pipeline:project-advance", args=[project.pk])).content.decode()
    assert "发现客户与现有供应商合作中的不满意或问题" in html
    response = client.post(reverse("pipeline:project-advance", args=[project.pk]), {"to_stage": stage(2).pk})
    assert response.status_code == 200 and "阶段条件未满足" in response.content.decode()
    project.refresh_from_db()
    assert project.stage == stage(1)


def test_a_manager_overrides_from_the_advance_page(client, manager, project, stage):
    client.force_login(manager)
    response = client.post(
        reverse("pipeline:project-advance", args=[project.pk]),
        {"to_stage": stage(2).pk, "override_reason": "高层已确认"},
    )
    assert response.status_code == 302
    html = client.get(reverse("pipeline:project-section", args=[project.pk, "history"])).content.decode()
    assert "高层已确认" in html


def test_a_rep_override_is_refused_on_the_form(client, rep, project, stage):
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:project-advance", args=[project.pk]), {"to_stage": stage(2).pk, "override_reason": "我说了算"}
    )
    # A rep has no override field: what they post for it is ignored, and the closed gate refuses the move.
    assert "阶段条件未满足" in " ".join(response.context["form"].non_field_errors())
    assert Project.objects.get(pk=project.pk).stage == stage(1)


def test_closing_as_lost_without_a_reason_keeps_the_note(client, rep, project):
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:project-close", args=[project.pk]), {"outcome": "lost", "note": "客户选择了别家"}
    )
    assert "lost_reason" in response.context["form"].errors
    assert "客户选择了别家" in response.content.decode()
    assert Project.objects.get(pk=project.pk).status == "open"


def test_ticking_a_condition_from_the_project_page(client, rep, project):
    condition = project.stage.conditions.first()
    client.force_login(rep)
    client.post(reverse("pipeline:condition-toggle", args=[project.pk, condition.pk]), {"done": "1"})
    assert project.condition_checks.filter(condition=condition).exists()
    client.post(reverse("pipeline:condition-toggle", args=[project.pk, condition.pk]), {"done": "0"})
    assert not project.condition_checks.exists()


def test_the_buying_center_formset_saves_rows_for_the_customers_contacts_only(client, rep, project):
    mine = ContactFactory(customer=project.customer, name="顾长庚")
    stranger = ContactFactory(name="外人")
    client.force_login(rep)
    url = reverse("pipeline:buying-center", args=[project.pk])
    base = {"buying_center-TOTAL_FORMS": "1", "buying_center-INITIAL_FORMS": "0"}
    row = {
        "buying_center-0-level": "decision",
        "buying_center-0-department": "technical",
        "buying_center-0-role": "decision_maker",
        "buying_center-0-attitude": "supporter",
        "buying_center-0-closeness": "close",
    }
    response = client.post(url, {**base, **row, "buying_center-0-contact": stranger.pk})
    assert response.status_code == 200 and not BuyingCenterMember.objects.exists()
    response = client.post(url, {**base, **row, "buying_center-0-contact": mine.pk})
    assert response.status_code == 302
    assert BuyingCenterMember.objects.get(project=project).contact == mine


def test_the_procurement_map_keeps_bad_rows_and_says_why(client, rep, project):
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:procurement-map", args=[project.pk]),
        {
            "procurement_steps-TOTAL_FORMS": "1",
            "procurement_steps-INITIAL_FORMS": "0",
            "procurement_steps-0-step": "0",
            "procurement_steps-0-process": "技术评审",
        },
    )
    assert response.status_code == 200 and "技术评审" in response.content.decode()
    assert response.context["formset"].forms[0].errors["step"]


def _member(**kw):
    return BuyingCenterMember(contact=ContactFactory.build(name=kw.pop("name", "某人")), **kw)


def test_red_flags_from_the_buying_center(db):
    assert {f.code for f in buying_center_red_flags([])} == {"no_decision_maker", "single_contact"}
    members = [
        _member(name="总", role="decision_maker", attitude="opponent", closeness="none"),
        _member(name="评", role="evaluator", attitude="opponent", closeness="close"),
    ]
    codes = {f.code for f in buying_center_red_flags(members)}
    assert codes == {
        "decision_maker_opposed",
        "decision_maker_not_contacted",
        "no_supporter",
        "single_contact",
        "evaluator_opposed",
    }
    healthy = [
        _member(role="decision_maker", attitude="supporter", closeness="close"),
        _member(role="user", attitude="neutral", closeness="frequent"),
    ]
    assert buying_center_red_flags(healthy) == []


@pytest.mark.parametrize("count", [1, 50])
def test_the_board_costs_the_same_queries_for_1_and_50_projects(
    client, rep, make_project, count, django_assert_num_queries
):
    for i in range(count):
        make_project(name=f"项目{i}")
    client.force_login(rep)
    client.get(reverse("pipeline:board"))
    # user, totals, cards, and one per condition evaluator the cards' stages need (two for stage 1); the
    # session, the stage catalog, the people in the filters and the rep's projects elsewhere come from the cache
    with django_assert_num_queries(5):
        response = client.get(reverse("pipeline:board"))
    column = response.context["columns"][0]
    assert column.count == count and len(column.cards) == min(count, BOARD_CARDS_PER_COLUMN)


def test_cards_in_every_stage_ahead_of_or_behind_the_customer_cost_no_query_each(client, rep, make_project, stage):
    def spread(count):
        for i in range(count):
            project = make_project(name=f"项目{i}")
            Project.objects.filter(pk=project.pk).update(stage=stage(i % 8 + 1), customer_stage=stage(8 - i % 8))

    client.force_login(rep)
    spread(8)
    client.get(reverse("pipeline:board"))
    with CaptureQueriesContext(connection) as eight:
        client.get(reverse("pipeline:board"))
    spread(16)
    client.get(reverse("pipeline:board"))  # new projects drop the rep's cached counts
    with CaptureQueriesContext(connection) as twenty_four:
        response = client.get(reverse("pipeline:board"))
    assert len(twenty_four) == len(eight)
    html = response.content.decode()
    assert "领先客户 7 阶段" in html and "落后客户 7 阶段" in html and rep.display_name in html


def test_the_drawn_people_selects_follow_the_people_and_the_choice(client, director, rep, project, team_a):
    """The director's owner filter and the project's member select are cached markup: a new person or
    a renamed one shows at once, and each choice is drawn selected."""
    client.force_login(director)
    board, paperwork = reverse("pipeline:board"), reverse("pipeline:project-section", args=[project.pk, "paperwork"])
    client.get(board), client.get(paperwork)
    newcomer = UserFactory(username="newcomer", last_name="钱", first_name="新人", team=team_a)
    assert "钱新人" in client.get(board).content.decode()
    assert "钱新人" in client.get(paperwork, headers={"HX-Request": "true"}).content.decode()
    newcomer.first_name = "改名"
    newcomer.save()
    assert "钱改名" in client.get(board).content.decode()
    chosen = client.get(board, {"owner": rep.pk}).content.decode()
    assert f'<option value="{rep.pk}" selected>' in chosen
    assert f'<option value="{rep.pk}" selected>' not in client.get(board, {"owner": newcomer.pk}).content.decode()


def test_board_totals_count_amount_and_weighted_amount(client, rep, make_project):
    make_project(amount="1000000")
    make_project(amount="3000000")
    client.force_login(rep)
    column = client.get(reverse("pipeline:board")).context["columns"][0]
    assert (column.count, column.amount, column.weighted) == (2, 4000000, 400000)


def test_moving_a_card_through_a_closed_gate_shows_what_is_missing(client, rep, project, stage):
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:board-move", args=[project.pk]), {"to_stage": stage(2).pk}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "阶段条件未满足" in html and "发现客户与现有供应商合作中的不满意或问题" in html
    assert Project.objects.get(pk=project.pk).stage == stage(1)


def test_moving_a_card_through_an_open_gate_moves_it(client, rep, project, stage):
    meet_stage(project, 1, rep)
    client.force_login(rep)
    client.post(reverse("pipeline:board-move", args=[project.pk]), {"next": "1"}, headers={"HX-Request": "true"})
    assert Project.objects.get(pk=project.pk).stage == stage(2)
    assert StageChange.objects.filter(project=project, kind="advance", by=rep).exists()


def test_the_board_filters_by_close_month_and_survives_a_bad_one(client, rep, make_project):
    p = make_project()
    client.force_login(rep)
    month = p.expected_close_date.strftime("%Y-%m")
    assert client.get(reverse("pipeline:board"), {"close_month": month}).context["columns"][0].count == 1
    assert client.get(reverse("pipeline:board"), {"close_month": "2001-01"}).context["columns"][0].count == 0
    assert client.get(reverse("pipeline:board"), {"close_month": "abc"}).status_code == 200


def test_my_day_lists_overdue_and_due_tasks_and_waiting_projects(client, rep, manager, teammate, project):
    from pipeline import services

    services.task_create(
        customer=project.customer,
        project=project,
        title="回访顾总",
        owner=rep,
        by=rep,
        due_date=timezone.localdate() - datetime.timedelta(days=2),
        kind=Task.Kind.PROMISE,
    )
    services.task_create(
        customer=project.customer,
        title="寄送样本",
        owner=teammate,
        by=teammate,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(rep)
    day = client.get(reverse("pipeline:my-day")).context["day"]
    assert [t.title for t in day.overdue] == ["回访顾总"]
    assert {t.kind for t in day.due} == {"stage"}
    assert [p for p, _unmet in day.waiting] == [project]
    assert day.team_overdue == []
    client.force_login(manager)
    team = client.get(reverse("pipeline:my-day")).context["day"].team_overdue
    assert {t.title for t in team} == {"回访顾总", "寄送样本"}


def test_my_day_shows_the_first_50_overdue_and_still_every_coming_task(rep, project):
    from pipeline import selectors

    today = timezone.localdate()
    Task.objects.bulk_create(
        [
            Task(
                owner=rep,
                created_by=rep,
                team=rep.team,
                customer=project.customer,
                title=f"逾期{n}",
                due_date=today - datetime.timedelta(days=60 - n),
            )
            for n in range(55)
        ]
        + [
            Task(
                owner=rep,
                created_by=rep,
                team=rep.team,
                customer=project.customer,
                title=f"将到{n}",
                due_date=today + datetime.timedelta(days=n),
            )
            for n in (0, 3, 7, 8)
        ]
    )
    day = selectors.my_day(user=rep)
    assert [t.title for t in day.overdue] == [f"逾期{n}" for n in range(50)]
    assert [t.title for t in day.due if t.title.startswith("将到")] == ["将到0", "将到3", "将到7"]


def test_only_the_owner_or_project_editors_complete_a_task(client, rep, teammate, other_rep, project):
    task = Task.objects.filter(project=project).first()
    client.force_login(other_rep)
    assert client.post(reverse("pipeline:task-toggle", args=[task.pk]), {"done": "1"}).status_code == 404
    client.force_login(teammate)
    assert client.post(reverse("pipeline:task-toggle", args=[task.pk]), {"done": "1"}).status_code == 403
    client.force_login(rep)
    client.post(reverse("pipeline:task-toggle", args=[task.pk]), {"done": "1"})
    task.refresh_from_db()
    assert task.done_at is not None


def test_the_case_library_shares_won_projects_with_every_rep(client, rep, other_rep, project, stage):
    from pipeline import services
    from tests.pipeline.conftest import satisfy_through

    client.force_login(other_rep)
    assert client.get(reverse("pipeline:case-detail", args=[project.pk])).status_code == 404
    satisfy_through(project, 8, rep)
    services.project_close(project=project, outcome="won", by=rep, success_story="参观样板工程打动了使用部门")
    assert project.name in client.get(reverse("pipeline:case-list")).content.decode()
    html = client.get(reverse("pipeline:case-detail", args=[project.pk])).content.decode()
    assert "参观样板工程打动了使用部门" in html
    assert client.get(reverse("pipeline:project-detail", args=[project.pk])).status_code == 404


def test_the_case_library_shows_other_teams_roles_and_attitudes_without_names(
    client, rep, other_rep, project, contact, stage
):
    from pipeline import services
    from pipeline.models import BuyingCenterMember
    from tests.pipeline.conftest import satisfy_through

    BuyingCenterMember.objects.create(
        project=project,
        contact=contact,
        level="decision",
        department="user",
        role="decision_maker",
        attitude="opponent",
        closeness="distant",
    )
    satisfy_through(project, 8, rep)
    services.project_close(project=project, outcome="won", by=rep)
    client.force_login(other_rep)
    html = client.get(reverse("pipeline:case-detail", args=[project.pk])).content.decode()
    assert contact.name not in html and contact.title not in html
    assert "决策者" in html and "反对者" in html and "第 1 人" in html
    client.force_login(rep)
    assert contact.name in client.get(reverse("pipeline:case-detail", args=[project.pk])).content.decode()


def test_the_project_page_shows_both_tracks_and_the_disagreement(client, rep, project, stage):
    from pipeline import services

    services.project_observe_customer_stage(project=project, stage=stage(3), by=rep)
    client.force_login(rep)
    response = client.get(project.get_absolute_url())
    html = response.content.decode()
    assert "客户的采购进度比我方快 2 个阶段" in html
    tracks = response.context["tracks"]
    assert [t.is_current for t in tracks].index(True) == 0
    assert [t.is_customer_current for t in tracks].index(True) == 2


@pytest.mark.parametrize("rows", [1, 20])
def test_the_project_list_query_count_does_not_grow(client, rep, make_project, rows, django_assert_num_queries):
    for i in range(rows):
        make_project(name=f"项目{i}")
    client.force_login(rep)
    client.get(reverse("pipeline:project-list"))
    with django_assert_num_queries(3):  # user, the page, the next page's first row: no count over the list
        client.get(reverse("pipeline:project-list"))


def _grow(project, rep, manager, rows: int) -> None:
    """Give the project ``rows`` of everything its page and sections list."""
    from pipeline import services as pipeline_services
    from pipeline.models import StageDefinition

    for i in range(rows):
        contact = ContactFactory(customer=project.customer, name=f"联系人{i}")
        BuyingCenterMember.objects.create(project=project, contact=contact, role="user", attitude="neutral")
        Task.objects.create(
            project=project,
            customer=project.customer,
            title=f"任务{i}",
            owner=rep,
            created_by=rep,
            due_date=timezone.localdate(),
        )
    stage_2, stage_1 = StageDefinition.objects.get(number=2), StageDefinition.objects.get(number=1)
    for _ in range(rows):
        pipeline_services.project_advance_stage(project=project, to_stage=stage_2, by=manager, override_reason="测试")
        pipeline_services.project_step_back(project=project, to_stage=stage_1, by=rep, reason="测试")


SECTIONS = ("control", "people", "paperwork", "history")


@pytest.mark.parametrize("rows", [1, 12])
def test_the_project_page_and_its_sections_cost_the_same_queries_for_few_and_many_rows(
    client, rep, manager, project, rows, django_assert_num_queries
):
    _grow(project, rep, manager, rows)
    client.force_login(rep)
    url = project.get_absolute_url()
    client.get(url)
    # user, project, both tracks in one UNION, the current stage's condition checks and forms
    with django_assert_num_queries(5):
        response = client.get(url)
    assert [s for s in SECTIONS if f"sections/{s}/" in response.content.decode()] == list(SECTIONS)
    # control: user, project, forecast, anomalies (+1 for the factors once a model has learned: 5 on the bench)
    # people: user, project, buying center, procurement map, contacts
    # paperwork: user, project, project team, forms, tasks, the task form's team check
    # history: user, project, stage changes, customer-stage observations, change records, customer names
    expected = {"control": 4, "people": 5, "paperwork": 6, "history": 6}
    for section in SECTIONS:
        section_url = reverse("pipeline:project-section", args=[project.pk, section])
        client.get(section_url, headers={"HX-Request": "true"})
        with django_assert_num_queries(expected[section]):
            response = client.get(section_url, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert "<html" not in response.content.decode()  # a fragment for htmx


def test_a_section_without_htmx_is_a_page_of_its_own_and_unknown_ones_are_not_found(client, rep, project):
    client.force_login(rep)
    page = client.get(reverse("pipeline:project-section", args=[project.pk, "people"]))
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert "与采购有关人的角色与态度" in page.content.decode()
    assert client.get(f"/projects/{project.pk}/sections/nothing/").status_code == 404


def test_another_teams_project_section_is_not_found(client, other_rep, project):
    client.force_login(other_rep)
    for section in SECTIONS:
        response = client.get(reverse("pipeline:project-section", args=[project.pk, section]))
        assert response.status_code == 404


def test_advancing_a_teammates_card_on_the_board_is_refused_with_the_board_saying_why(
    client, rep, teammate, make_project, stage
):
    theirs = make_project(owner=teammate, name="同事的项目")
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:board-move", args=[theirs.pk]), {"next": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert 'id="board"' in response.content.decode()
    assert "同事的项目 只有负责人、项目成员、本团队的销售经理和销售总监可以推进。" in response.content.decode()
    assert Project.objects.get(pk=theirs.pk).stage == stage(1)


@pytest.mark.parametrize("to_stage", ["abc", "", "99999", "1.5"])
def test_a_card_sent_to_a_stage_that_is_no_stage_is_not_found_and_stays(client, rep, project, stage, to_stage):
    client.force_login(rep)
    response = client.post(
        reverse("pipeline:board-move", args=[project.pk]), {"to_stage": to_stage}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 404
    assert Project.objects.get(pk=project.pk).stage == stage(1)
