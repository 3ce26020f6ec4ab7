import math
import random

import pytest

from forecasting.models import DealControlSettings
from forecasting.probability import explain, factor_annotations, fit, score_open_projects
from forecasting.rollups import stall_norms
from pipeline.models import Project
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def logit(p):
    return math.log(p / (1 - p))


def expit(x):
    return 1 / (1 + math.exp(-x))


def closed_history(bare, *, won: int, lost_at: dict[int, int], **kw):
    for _ in range(won):
        bare(stage=8, status="won", furthest=8, **kw)
    for number, n in lost_at.items():
        for _ in range(n):
            bare(stage=number, status="lost", furthest=number, **kw)


def test_too_few_closed_projects_keep_the_stage_default(bare, stage):
    closed_history(bare, won=9, lost_at={3: 20})  # 29 < 30
    project = bare(stage=3, probability=55)
    model = fit(norms=stall_norms())
    assert not model.learned and model.closed == 29
    score_open_projects(model=model)
    project.refresh_from_db()
    assert project.win_probability == stage(3).default_probability


def test_learned_rate_is_smoothed_toward_the_default_and_moved_by_factors(bare, rep, stage):
    """VIP customers: ten won. General ones: ten lost at stage 3, ten at stage 1. k = 10."""
    DealControlSettings.objects.update_or_create(pk=1, defaults={"smoothing_strength": 10})
    vip = CustomerFactory(owner=rep, category="vip", industry="machinery", source="")
    general = CustomerFactory(owner=rep, category="general", industry="machinery", source="")
    closed_history(bare, won=10, lost_at={}, customer=vip)
    closed_history(bare, won=0, lost_at={3: 10, 1: 10}, customer=general)
    project = bare(stage=3, customer=vip)
    model = fit(norms=stall_norms())
    assert model.learned and (model.closed, model.won) == (30, 10)

    d3 = float(stage(3).default_probability) / 100
    rate3 = (10 + 10 * d3) / (20 + 10)  # ten won and ten lost reached stage 3, smoothed toward the default
    assert model.parameters["stage"]["3"]["rate"] == pytest.approx(rate3)
    # Raw win rates of those that reached each stage: 1/3 at stage 1, 1/2 at 2 and 3, 1 from 4 to 8.
    # VIP projects reached 8 stages each: 80 stage-visits, all won, against an expected 10 × (1/3 + 1/2 + 1/2 + 5).
    expected = 10 * (1 / 3 + 1 / 2 + 1 / 2 + 5) / 80
    vip_effect = logit((80 + 10 * expected) / (80 + 10)) - logit(expected)
    assert model.parameters["factors"]["category"]["vip"]["effect"] == pytest.approx(vip_effect)
    # Industry, red flag (no buying center anywhere), lagging and stalling are the same for all: no effect.
    for factor, key in (("industry", "machinery"), ("red_flag", "1"), ("lagging", "0"), ("stalled", "0")):
        assert model.parameters["factors"][factor][key]["effect"] == pytest.approx(0, abs=1e-9), factor

    score_open_projects(model=model)
    project.refresh_from_db()
    assert float(project.win_probability) == pytest.approx(expit(logit(rate3) + vip_effect) * 100, abs=0.01)
    estimate = explain(project, model=model)
    assert estimate.learned and estimate.stage_rate == pytest.approx(rate3 * 100, abs=0.05)
    assert [f.code for f in estimate.factors] == ["category"]


def test_a_customer_category_that_wins_more_raises_the_probability_in_words(bare, rep):
    vip = CustomerFactory(owner=rep, category="vip", industry="")
    general = CustomerFactory(owner=rep, category="general", industry="")
    closed_history(bare, won=15, lost_at={4: 5}, customer=vip)
    closed_history(bare, won=5, lost_at={4: 15}, customer=general)
    vip_project = bare(stage=4, customer=vip)
    general_project = bare(stage=4, customer=general)
    model = fit(norms=stall_norms())
    score_open_projects(model=model)
    vip_project.refresh_from_db()
    general_project.refresh_from_db()
    assert vip_project.win_probability > general_project.win_probability

    words = [f.text for f in explain(vip_project, model=model).factors]
    assert any("客户类别为“VIP”" in w and "提高赢率" in w and "赢率 75%" in w for w in words), words
    words = [f.text for f in explain(general_project, model=model).factors]
    assert any("客户类别为“一般”" in w and "降低赢率" in w for w in words), words


def test_lagging_customer_and_stalling_lower_the_probability(bare, rep):
    config = DealControlSettings.current()
    # Won projects moved with the customer; lost ones ran two stages ahead of it.
    closed_history(bare, won=15, lost_at={}, customer_stage=8)
    for _ in range(15):
        bare(stage=5, status="lost", furthest=5, customer_stage=3)
    in_step = bare(stage=5, customer_stage=5)
    ahead = bare(stage=5, customer_stage=5 - config.stage_gap)
    model = fit(norms=stall_norms())
    score_open_projects(model=model)
    in_step.refresh_from_db()
    ahead.refresh_from_db()
    assert ahead.win_probability < in_step.win_probability
    assert "客户采购阶段落后我方" in " ".join(f.text for f in explain(ahead, model=model).factors)


def test_only_changed_probabilities_are_written(bare):
    closed_history(bare, won=10, lost_at={3: 20})
    bare(stage=3)
    model = fit(norms=stall_norms())
    assert score_open_projects(model=model) == 1
    assert score_open_projects(model=model) == 0


def test_calibration_on_synthetic_history_beats_the_stage_default(bare, rep):
    """History where VIP customers win 80% and general ones 20%: the learned model must be calibrated and better."""
    rng = random.Random(7)
    vip = CustomerFactory(owner=rep, category="vip")
    general = CustomerFactory(owner=rep, category="general")
    stages_reached = 0
    for i in range(300):
        customer = vip if i % 2 else general
        won = rng.random() < (0.8 if customer is vip else 0.2)
        furthest = 8 if won else rng.randrange(1, 8)
        bare(stage=furthest, status="won" if won else "lost", furthest=furthest, customer=customer)
        stages_reached += furthest
    model = fit(norms=stall_norms())

    assert model.learned
    assert sum(b["n"] for b in model.calibration) == stages_reached
    assert model.brier < model.baseline_brier
    # A factor moves every stage by the same log-odds, which this history does not quite follow:
    # well-filled buckets must still land within 15 points of what happened.
    for bucket in model.calibration:
        if bucket["n"] >= 80:
            assert abs(bucket["predicted"] - bucket["actual"]) < 15, bucket


def test_a_closed_project_keeps_the_stay_its_close_ended_and_counts_as_stalled_by_it(project, manager):
    from pipeline import services as pipeline_services

    pipeline_services.project_close(project=project, outcome="lost", by=manager, lost_reason="price", note="价格")
    project.refresh_from_db()
    assert (project.final_stay_stage_number, project.final_stay_days) == (1, 0)
    stalled = lambda: (  # noqa: E731
        Project.objects.filter(pk=project.pk)
        .annotate(**factor_annotations(norms={1: 10}, config=DealControlSettings.current()))
        .values_list("stalled", flat=True)
        .get()
    )
    assert stalled() is False
    Project.objects.filter(pk=project.pk).update(final_stay_days=11)
    assert stalled() is True
    pipeline_services.project_reopen(project=project, by=manager, reason="误操作")
    project.refresh_from_db()
    assert (project.final_stay_stage_number, project.final_stay_days) == (None, None)
