import pytest

from pipeline import gates
from pipeline.models import ConditionCheck, StageCondition
from tests.pipeline.conftest import fill_maps, meet_stage, satisfy_through


def test_the_catalog_seeds_eight_stages_with_both_tracks_and_conditions(stage):
    first, last = stage(1), stage(8)
    assert (first.name, first.customer_stage, first.milestone) == ("项目立项", "发现问题,提出问题", "有兴趣")
    assert (last.name, last.customer_stage, last.milestone) == ("签约成交", "双方商定,签约成交", "签约成交")
    for n in range(1, 9):
        assert stage(n).conditions.filter(is_active=True).exists()
    probabilities = [stage(n).default_probability for n in range(1, 9)]
    assert probabilities == sorted(probabilities)


def test_a_new_project_cannot_leave_stage_1_until_its_checklist_is_ticked_and_call_log_filed(project, stage, rep):
    gate = gates.evaluate_gate(project=project, to_stage=stage(2))
    assert not gate.is_open
    assert [s.condition.kind for s in gate.unmet] == ["checklist", "checklist", "form_submitted"]
    meet_stage(project, 1, rep, forms=False)
    assert [s.condition.form_type for s in gates.evaluate_gate(project=project, to_stage=stage(2)).unmet] == ["F01"]
    meet_stage(project, 1, rep)
    assert gates.evaluate_gate(project=project, to_stage=stage(2)).is_open


def test_stage_2_needs_a_mapped_buying_center_with_a_decision_maker(project, stage, rep):
    project.stage = stage(2)
    meet_stage(project, 2, rep)
    unmet = {s.condition.kind for s in gates.evaluate_gate(project=project, to_stage=stage(3)).unmet}
    assert unmet == {"buying_center_mapped", "decision_maker_identified"}
    fill_maps(project, role="evaluator")
    unmet = {s.condition.kind for s in gates.evaluate_gate(project=project, to_stage=stage(3)).unmet}
    assert unmet == {"decision_maker_identified"}
    fill_maps(project, role="decision_maker")
    assert gates.evaluate_gate(project=project, to_stage=stage(3)).is_open


def test_stage_3_needs_the_procurement_map(project, stage, rep):
    project.stage = stage(3)
    meet_stage(project, 3, rep)
    assert [s.condition.kind for s in gates.evaluate_gate(project=project, to_stage=stage(4)).unmet] == [
        "procurement_map_filled"
    ]


@pytest.mark.parametrize("n", range(4, 8))
def test_each_later_stage_opens_when_its_own_conditions_are_met(project, stage, rep, n):
    project.stage = stage(n)
    assert not gates.evaluate_gate(project=project, to_stage=stage(n + 1)).is_open
    meet_stage(project, n, rep)
    assert gates.evaluate_gate(project=project, to_stage=stage(n + 1)).is_open


def test_jumping_stages_needs_every_stage_in_between(project, stage, rep):
    meet_stage(project, 1, rep)
    gate = gates.evaluate_gate(project=project, to_stage=stage(4))
    assert {s.condition.stage.number for s in gate.unmet} == {2, 3}


def test_closing_as_won_needs_every_remaining_stage_up_to_8(project, stage, rep):
    project.stage = stage(7)
    meet_stage(project, 7, rep)
    gate = gates.evaluate_gate(project=project, to_stage=None)
    assert {s.condition.stage.number for s in gate.unmet} == {8}
    satisfy_through(project, 8, rep)
    assert gates.evaluate_gate(project=project, to_stage=None).is_open


def test_an_inactive_condition_does_not_count(project, stage, rep):
    assert not gates.evaluate_gate(project=project, to_stage=stage(2)).is_open  # the catalog is cached now ...
    for condition in StageCondition.objects.filter(stage__number=1):
        condition.is_active = False
        condition.save()  # ... and an administrator's edit drops the cached copy
    assert gates.evaluate_gate(project=project, to_stage=stage(2)).is_open


def test_a_kind_nobody_answers_stays_unmet_and_says_so(project, stage):
    StageCondition.objects.create(stage=stage(1), kind="site_survey_done", text="完成现场勘查")
    unmet = gates.evaluate_gate(project=project, to_stage=stage(2)).unmet
    unknown = next(s for s in unmet if s.condition.kind == "site_survey_done")
    assert "联系管理员" in unknown.hint


def test_another_app_plugs_in_a_condition_kind(project, stage, rep, monkeypatch):
    calls = []

    def evaluator(projects, conditions):
        calls.append((len(projects), len(conditions)))
        return {(p.pk, c.pk) for p in projects for c in conditions}

    monkeypatch.setitem(
        gates.condition_kinds, "site_survey_done", gates.ConditionKindSpec(evaluator=evaluator, hint="勘查")
    )
    StageCondition.objects.create(stage=stage(1), kind="site_survey_done", text="完成现场勘查")
    meet_stage(project, 1, rep)
    assert gates.evaluate_gate(project=project, to_stage=stage(2)).is_open
    assert calls and set(calls) == {(1, 1)}


def test_the_gate_writes_nothing(project, stage, django_assert_max_num_queries):
    before, last = ConditionCheck.objects.count(), stage(8)
    with django_assert_max_num_queries(5):  # the conditions, then one query per evaluator
        gates.evaluate_gate(project=project, to_stage=last)
    assert ConditionCheck.objects.count() == before
