import datetime
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from pipeline import services
from pipeline.models import CustomerStageObservation, Project, ProjectMember, StageChange, Task
from tests.pipeline.conftest import meet_stage, satisfy_through


def test_creating_a_project_opens_both_tracks_at_stage_1(project, rep, stage):
    assert project.number.startswith(f"XM-{timezone.localdate().year}-")
    assert project.stage == stage(1) and project.customer_stage == stage(1)
    assert project.win_probability == stage(1).default_probability
    assert project.team == rep.team and project.amount_cny == project.amount
    assert ProjectMember.objects.get(project=project).user == rep
    assert StageChange.objects.get(project=project).kind == StageChange.Kind.CREATED
    assert CustomerStageObservation.objects.filter(project=project).count() == 1
    assert set(Task.objects.filter(project=project).values_list("kind", flat=True)) == {"stage"}


def test_numbers_are_unique_and_sequential(make_project):
    a, b = make_project(name="甲"), make_project(name="乙")
    assert int(b.number[-6:]) == int(a.number[-6:]) + 1


def test_advancing_through_an_open_gate_records_the_change(project, rep, stage):
    meet_stage(project, 1, rep)
    change = services.project_advance_stage(project=project, to_stage=stage(2), by=rep)
    project.refresh_from_db()
    assert project.stage == stage(2) and project.win_probability == stage(2).default_probability
    assert (change.from_stage, change.to_stage, change.by, change.override_reason) == (stage(1), stage(2), rep, "")
    assert not Task.objects.open().filter(project=project, condition__stage__number=1).exists()
    assert Task.objects.open().filter(project=project, condition__stage__number=2).count() == 4


def test_a_closed_gate_refuses_and_names_what_is_missing(project, rep, stage):
    with pytest.raises(services.GateClosed) as refused:
        services.project_advance_stage(project=project, to_stage=stage(2), by=rep)
    assert "发现客户与现有供应商合作中的不满意或问题" in refused.value.messages[0]
    project.refresh_from_db()
    assert project.stage == stage(1)
    assert not StageChange.objects.filter(project=project, kind="advance").exists()


def test_a_manager_overrides_with_a_reason_that_is_kept(project, manager, stage):
    change = services.project_advance_stage(
        project=project, to_stage=stage(2), by=manager, override_reason="客户总经理已口头确认"
    )
    assert change.override_reason == "客户总经理已口头确认" and change.is_override
    assert len(change.unmet_conditions) == 3  # two checklist items and the call log (F01)


def test_a_rep_cannot_override(project, rep, stage):
    with pytest.raises(PermissionDenied):
        services.project_advance_stage(project=project, to_stage=stage(2), by=rep, override_reason="我觉得可以")


def test_an_override_without_a_reason_is_just_a_refusal(project, manager, stage):
    with pytest.raises(services.GateClosed):
        services.project_advance_stage(project=project, to_stage=stage(2), by=manager, override_reason="   ")


def test_advancing_to_the_same_or_an_earlier_stage_is_refused(project, rep, stage):
    with pytest.raises(ValidationError):
        services.project_advance_stage(project=project, to_stage=stage(1), by=rep)


def test_stepping_back_needs_a_reason(project, manager, stage):
    services.project_advance_stage(project=project, to_stage=stage(3), by=manager, override_reason="演示")
    with pytest.raises(ValidationError):
        services.project_step_back(project=project, to_stage=stage(2), by=manager, reason="")
    change = services.project_step_back(project=project, to_stage=stage(2), by=manager, reason="客户预算被冻结")
    assert change.kind == "step_back" and change.reason == "客户预算被冻结"
    assert Project.objects.get(pk=project.pk).stage == stage(2)


def test_closing_as_lost_needs_a_reason_and_a_note(project, rep):
    with pytest.raises(ValidationError) as error:
        services.project_close(project=project, outcome="lost", by=rep)
    assert set(error.value.message_dict) == {"lost_reason", "note"}
    services.project_close(project=project, outcome="lost", by=rep, lost_reason="price", note="对手低价 15%")
    project.refresh_from_db()
    assert (project.status, project.lost_reason, project.win_probability) == ("lost", "price", 0)
    assert not Task.objects.open().filter(project=project, kind="stage").exists()


def test_closing_as_won_passes_the_last_gate_and_lands_on_stage_8(project, rep, stage):
    with pytest.raises(services.GateClosed):
        services.project_close(project=project, outcome="won", by=rep)
    satisfy_through(project, 8, rep)
    services.project_close(project=project, outcome="won", by=rep, success_story="提前介入")
    project.refresh_from_db()
    assert (project.status, project.stage, project.win_probability) == ("won", stage(8), 100)
    assert project.success_story == "提前介入" and project.closed_at


def test_a_closed_project_does_not_move(project, rep, manager, stage):
    services.project_close(
        project=project, outcome="abandoned", by=rep, lost_reason="budget_cancelled", note="客户取消预算"
    )
    with pytest.raises(ValidationError):
        services.project_advance_stage(project=project, to_stage=stage(2), by=manager, override_reason="x")


def test_only_a_manager_reopens_with_a_reason(project, rep, manager):
    services.project_close(project=project, outcome="lost", by=rep, lost_reason="other", note="误操作")
    with pytest.raises(PermissionDenied):
        services.project_reopen(project=project, by=rep, reason="误操作")
    services.project_reopen(project=project, by=manager, reason="误操作")
    project.refresh_from_db()
    assert project.status == "open" and project.lost_reason == ""


def test_every_customer_stage_observation_is_kept(project, rep, stage):
    services.project_observe_customer_stage(project=project, stage=stage(3), by=rep, note="已立项")
    services.project_observe_customer_stage(project=project, stage=stage(4), by=rep)
    project.refresh_from_db()
    assert project.customer_stage == stage(4)
    assert list(project.customer_stage_observations.values_list("stage__number", flat=True)) == [1, 3, 4]
    assert project.stage_gap == -3 and project.tracks_disagree


def test_an_observation_cannot_be_dated_in_the_future(project, rep, stage):
    with pytest.raises(ValidationError):
        services.project_observe_customer_stage(
            project=project, stage=stage(2), by=rep, observed_on=timezone.localdate() + datetime.timedelta(days=1)
        )


def test_ticking_a_condition_finishes_its_stage_task(project, rep):
    task = Task.objects.open().filter(project=project).first()
    services.condition_check_set(project=project, condition=task.condition, by=rep, done=True)
    task.refresh_from_db()
    assert task.done_at is not None


def test_computed_conditions_cannot_be_ticked(project, rep, stage):
    condition = stage(2).conditions.get(kind="decision_maker_identified")
    with pytest.raises(ValidationError):
        services.condition_check_set(project=project, condition=condition, by=rep, done=True)


def test_foreign_currency_amounts_are_converted_for_totals(make_project, rep):
    project = make_project()
    project.currency, project.exchange_rate, project.amount = "USD", Decimal("7.1"), Decimal("100000")
    services.project_update(project=project, by=rep, changed_fields=["currency", "exchange_rate", "amount"])
    project.refresh_from_db()
    assert project.amount_cny == 710000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_advancing_at_once_end_with_one_transition():
    from accounts.models import Team, User
    from customers.models import Customer
    from pipeline.models import StageDefinition

    team = Team.objects.create(name="并发组")
    alice = User.objects.create(username="c_alice", role="manager", team=team)
    bob = User.objects.create(username="c_bob", role="director")
    customer = Customer.objects.create(name="并发客户", code="CONC-1", owner=alice, team=team)
    project = services.project_create(
        project=Project(
            customer=customer, name="并发", owner=alice, amount=1, expected_close_date=timezone.localdate()
        ),
        by=alice,
    )
    to_stage = StageDefinition.objects.get(number=2)
    barrier = threading.Barrier(2)
    outcomes = []

    def advance(user):
        from django.db import connections

        try:
            barrier.wait()
            services.project_advance_stage(
                project=Project.objects.get(pk=project.pk), to_stage=to_stage, by=user, override_reason="并发测试"
            )
            outcomes.append("moved")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # anything else is a failure the assertion shows
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=advance, args=(u,)) for u in (alice, bob)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["moved", "refused"]
    assert StageChange.objects.filter(project=project, kind="advance").count() == 1
