"""The win model: point-in-time examples, credible factors only, and a stored probability its page explains."""

import datetime
import io
import random

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bench import forecast_eval, forecast_world
from forecasting import backtest, timeline
from forecasting.models import DealControlSettings, WinBacktest
from forecasting.probability import explain, fit, fit_parameters, score_open_projects, stage_defaults
from pipeline.models import BuyingCenterMember, CustomerStageObservation, Project, StageDefinition
from tests.factories import ContactFactory, CustomerFactory
from tests.forecasting.conftest import stay

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def closed_history(bare, *, won: int, lost_at: dict[int, int], **kw):
    for _ in range(won):
        bare(stage=8, status="won", furthest=8, **kw)
    for number, n in lost_at.items():
        for _ in range(n):
            bare(stage=number, status="lost", furthest=number, **kw)


def lives_of(*projects):
    return timeline.load(Project.objects.filter(pk__in=[p.pk for p in projects]))


def test_too_few_closed_projects_give_the_smoothed_stage_rate_and_no_reasons(bare, stage):
    closed_history(bare, won=9, lost_at={3: 20})  # 29 < 30
    project = bare(stage=3, probability=55)
    model = fit()
    assert not model.learned and model.closed == 29
    score_open_projects(model=model)
    project.refresh_from_db()
    rate = model.parameters["stage"]["3"]
    k, d = model.parameters["tuning"]["k"], float(stage(3).default_probability) / 100
    assert rate["won"] == 9 and rate["lost"] == 20
    assert float(project.win_probability) == pytest.approx((9 + k * d) / (29 + k) * 100, abs=0.01)
    estimate = explain(project, model=model)
    assert not estimate.learned and estimate.factors == []


def test_a_won_project_in_step_with_its_customer_is_not_lagging_at_the_stages_it_passed(bare, rep):
    """Closing as won moves it to stage 8 while the customer stage stays where it was seen last."""
    start = timezone.now() - 100 * DAY
    won = bare(stage=8, status="won", furthest=8, customer_stage=5, created_at=start)
    for n in range(1, 6):
        stay(won, n, at=start + (n - 1) * 10 * DAY, days=10, by=rep, kind="created" if n == 1 else "advance",
             customer_stage=n)  # fmt: skip
        CustomerStageObservation.objects.create(
            project=won, stage=StageDefinition.objects.get(number=n), observed_on=start.date(), by=rep,
            recorded_at=start + (n - 1) * 10 * DAY,
        )  # fmt: skip
    stay(won, 5, at=start + 50 * DAY, kind="close_won", by=rep)
    life = lives_of(won)[won.pk]
    assert [s.stage for s in life.stays] == [1, 2, 3, 4, 5]
    examples = life.examples({n: 10.0 for n in range(1, 9)})
    assert {e.stage for e in examples} == {1, 2, 3, 4, 5}  # no stay in 6–8: closing is not a stay
    gap = DealControlSettings.current().stage_gap
    assert not any(e.stage >= e.customer_stage + gap for e in examples)


def test_a_buying_center_changed_after_a_stage_is_not_seen_by_that_stage(bare, rep, customer):
    start = timezone.now() - 60 * DAY
    project = bare(stage=3, status="lost", furthest=3, created_at=start)
    for n in (1, 2, 3):
        stay(project, n, at=start + (n - 1) * 10 * DAY, days=10, by=rep, kind="created" if n == 1 else "advance")
    contact = ContactFactory(customer=customer)
    History = BuyingCenterMember.history.model
    member = BuyingCenterMember.objects.create(
        project=project, contact=contact, level="decision", department="technical", role="decision_maker",
        attitude="supporter", closeness="close",
    )  # fmt: skip
    # Its history as it happened: a supporter from day 1, an opponent from the start of stage 3.
    History.objects.filter(id=member.pk).update(history_date=start + DAY)
    member.attitude = "opponent"
    member.save()
    History.objects.filter(id=member.pk, attitude="opponent").update(history_date=start + 20 * DAY)
    life = lives_of(project)[project.pk]
    flags = {(e.stage, e.days): e.red_flag for e in life.examples({n: 4.0 for n in range(1, 9)})}
    assert flags[(1, 0.0)] is True  # before anyone was mapped: no decision maker known
    assert flags[(1, 2.0)] is False and flags[(2, 0.0)] is False  # the supporter, as stage 2 saw him
    assert flags[(3, 0.0)] is True  # turned against us when stage 3 began
    # A role written before history was kept counts as it stands now, all along.
    History.objects.filter(id=member.pk).delete()
    assert all(e.red_flag for e in lives_of(project)[project.pk].examples({n: 4.0 for n in range(1, 9)}))


def test_a_credible_factor_moves_the_probability_and_the_page_reads_what_was_stored(bare, rep):
    vip = CustomerFactory(owner=rep, category="vip", industry="", source="")
    general = CustomerFactory(owner=rep, category="general", industry="", source="")
    closed_history(bare, won=60, lost_at={4: 20}, customer=vip)
    closed_history(bare, won=20, lost_at={4: 60}, customer=general)
    vip_project = bare(stage=4, customer=vip)
    general_project = bare(stage=4, customer=general)
    model = fit()
    assert model.learned and model.parameters["levels"]["category"]["vip"]["effect"] > 0
    assert score_open_projects(model=model) == 2
    assert score_open_projects(model=model) == 0  # only changed rows are written
    vip_project.refresh_from_db()
    general_project.refresh_from_db()
    assert vip_project.win_probability > general_project.win_probability
    estimate = explain(vip_project, model=model)
    assert estimate.probability == float(vip_project.win_probability)
    assert [f.code for f in estimate.factors] == ["category"]
    text = estimate.factors[0].text
    assert "客户类别为“VIP”" in text and "提高赢率" in text and "80 个,赢率 75%" in text
    # The reasons walk from the base to the stored probability.
    assert estimate.stage_rate + sum(f.points for f in estimate.factors) == pytest.approx(
        estimate.probability, abs=0.11
    )
    assert "降低赢率" in explain(general_project, model=model).factors[0].text


def test_a_factor_without_signal_is_neither_applied_nor_shown(bare, rep):
    rng = random.Random(3)
    customers = [CustomerFactory(owner=rep, category=c, industry="", source="") for c in ("vip", "general")]
    for i in range(240):
        won = rng.random() < 0.35
        bare(
            stage=8 if won else 3, status="won" if won else "lost", furthest=8 if won else 3, customer=customers[i % 2]
        )
    open_projects = [bare(stage=3, customer=c) for c in customers]
    model = fit()
    score_open_projects(model=model)
    for project in open_projects:
        project.refresh_from_db()
        assert explain(project, model=model).factors == []
    assert open_projects[0].win_probability == open_projects[1].win_probability


def test_abandoned_projects_count_as_not_won_unless_the_setting_leaves_them_out(bare):
    closed_history(bare, won=20, lost_at={2: 5})
    for _ in range(10):
        bare(stage=2, status="abandoned", furthest=2)
    assert fit().closed == 35
    DealControlSettings.objects.update_or_create(pk=1, defaults={"abandoned_as_lost": False})
    assert fit().closed == 25


def test_a_long_stay_lowers_the_probability_smoothly_where_losers_linger():
    now = timezone.now().replace(microsecond=0)
    world = forecast_world.SIGNAL
    history = forecast_world.history(world, closed=600, open_projects=0, seed=5, now=now)
    forecast_eval.write(history)
    config = DealControlSettings.current()
    lives = timeline.load(Project.objects.exclude(status="open")).values()
    parameters = fit_parameters(lives, defaults=stage_defaults(), config=config)
    from forecasting.probability import predict

    def p(days):
        state = timeline.State(0, 4, days, "important", "machinery", "walk_in", False, 4)
        return predict(parameters, state, default=0.4).probability

    curve = [p(d) for d in (0, 10, 24, 40, 60, 90)]
    assert curve == sorted(curve, reverse=True) and curve[0] - curve[-1] > 10, curve


def test_the_backtest_judges_projects_forward_and_the_page_shows_its_brier(client_for, manager):
    now = timezone.now().replace(microsecond=0)
    history = forecast_world.history(forecast_world.SIGNAL, closed=400, open_projects=50, seed=11, now=now)
    forecast_eval.write(history)
    result = backtest.run(now=now)
    assert len(result.months) == 12 and result.judged > 100
    assert sum(m["judged"] for m in result.per_month) == result.judged
    assert sum(c["n"] for c in result.calibration) == result.judged
    assert result.brier < result.brier_default
    # Each month is fitted only on what had closed before it.
    trained = [m["trained_on"] for m in result.per_month]
    assert trained == sorted(trained) and trained[0] < trained[-1]
    page = client_for(manager).get(reverse("forecasting:calibration")).content.decode()
    assert str(result.brier) in page and str(result.judged) in page
    # The command prints what the page shows: the same backtest, run again on the same data.
    out = io.StringIO()
    call_command("forecast_backtest", stdout=out)
    again = WinBacktest.objects.get()
    assert f"Brier  app {again.brier}  stage default {again.brier_default}" in out.getvalue()
    assert f"judged: {again.judged} projects" in out.getvalue()


def test_the_generators_truth_agrees_with_monte_carlo_continuations():
    rng = random.Random(1)
    for world in (forecast_world.SIGNAL, forecast_world.NULL):
        for eta, stage, red, lag, days in ((0.3, 2, False, False, 5.0), (-0.4, 5, True, True, 70.0), (0.0, 7, False, False, 30.0)):  # fmt: skip
            n = 4000
            wins = sum(forecast_world.continue_from(world, rng, eta, stage, red, lag, days) for _ in range(n))
            truth = forecast_world.truth(world, eta, stage, red, lag, days)
            se = (truth * (1 - truth) / n) ** 0.5
            assert abs(wins / n - truth) < 4 * se + 1e-3, (world.name, stage, wins / n, truth)


def test_a_project_without_stage_history_is_never_lagging_by_hindsight(bare):
    """Stays guessed from the furthest stage are not compared with the customer stage seen at the end."""
    won = bare(stage=8, status="won", furthest=8, customer_stage=5)
    life = lives_of(won)[won.pk]
    assert life.guessed and [s.stage for s in life.stays] == list(range(1, 9))
    assert all(e.customer_stage is None for e in life.examples({n: 10.0 for n in range(1, 9)}))


def test_a_project_that_moved_since_it_was_scored_says_so_until_rescored(bare, project, manager):
    from pipeline import services as pipeline_services

    closed_history(bare, won=20, lost_at={1: 20})
    model = fit()
    score_open_projects(model=model)
    project.refresh_from_db()
    assert not explain(project, model=model).pending
    pipeline_services.project_close(project=project, outcome="lost", by=manager, lost_reason="price", note="价格")
    pipeline_services.project_reopen(project=project, by=manager, reason="误操作")
    Project.objects.filter(pk=project.pk).update(win_reasons={})  # as if the background rescoring had not run yet
    project.refresh_from_db()
    assert explain(project, model=model).pending


@pytest.mark.parametrize("world", ["signal", "null"])
def test_on_generated_worlds_reasons_are_shown_only_where_something_is_there(world):
    """Known truth (bench/forecast_world.py), a fixed clock: the same figures on every run."""
    now = datetime.datetime(2026, 6, 15, 9, tzinfo=datetime.UTC)
    closed = 400 if world == "null" else 1000
    history = forecast_world.history(forecast_world.WORLDS[world], closed=closed, open_projects=150, seed=4, now=now)
    result = forecast_eval.evaluate(history)
    assert result["oracle"] < result["app"] < result["default"]
    if world == "null":
        assert result["with_reasons"] <= 0.05
        assert result["app"] <= result["rate"] * 1.005
    else:
        assert result["app"] < result["rate"] and result["shown"] > 0
        assert result["right"] >= 0.95 * result["shown"]
