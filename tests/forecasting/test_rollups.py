import datetime
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from forecasting import rollups
from forecasting.models import (
    Anomaly,
    ForecastRollup,
    ForecastSnapshot,
    FunnelSnapshot,
    ProjectForecast,
    RepMonth,
    StageStat,
    WinModel,
)
from forecasting.refresh import refresh_all
from forecasting.services import forecast_category_set
from pipeline import services
from pipeline.models import Project
from tests.factories import CustomerFactory
from tests.forecasting.conftest import stay

pytestmark = pytest.mark.django_db
D = Decimal


def funnel_rows(**filters):
    return sorted(
        FunnelSnapshot.objects.filter(**filters).values_list(
            "owner__username", "stage__number", "count", "amount", "weighted"
        )
    )


def test_funnel_counts_amounts_and_weighted_per_rep_and_stage(bare, rep, teammate):
    bare(stage=1, amount="100000", probability=10)
    bare(stage=1, amount="200000", probability=10)
    bare(stage=3, amount="500000", probability=40)
    bare(stage=3, amount="900000", status="lost")  # closed projects are not in the funnel
    bare(owner=teammate, stage=3, amount="1000000", probability=25)

    rollups.funnel_refresh()

    assert funnel_rows() == [
        ("alice", 1, 2, D("300000.00"), D("30000.00")),
        ("alice", 3, 1, D("500000.00"), D("200000.00")),
        ("amy", 3, 1, D("1000000.00"), D("250000.00")),
    ]
    assert set(FunnelSnapshot.objects.values_list("team_id", flat=True)) == {rep.team_id}


def test_funnel_keeps_past_days_and_rewrites_only_today(bare):
    bare(stage=2, amount="100000", probability=20)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    rollups.funnel_refresh(day=yesterday)
    bare(stage=2, amount="300000", probability=20)
    rollups.funnel_refresh()
    assert funnel_rows(day=yesterday) == [("alice", 2, 1, D("100000.00"), D("20000.00"))]
    assert funnel_rows(day=timezone.localdate()) == [("alice", 2, 2, D("400000.00"), D("80000.00"))]


def test_forecast_by_close_month_and_category_and_won_by_close_month(bare, rep, manager):
    this_month = timezone.localdate().replace(day=1)
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    a = bare(stage=5, amount="1000000", probability=50, close_date=next_month + datetime.timedelta(days=3))
    bare(stage=2, amount="400000", probability=20, close_date=next_month + datetime.timedelta(days=20))
    bare(stage=8, status="won", amount="700000", closed_at=timezone.now())
    ProjectForecast.objects.create(project=a, rep_category="best_case", manager_category="commit", category="commit")

    rollups.forecast_refresh()

    rows = sorted(ForecastRollup.objects.values_list("month", "category", "count", "amount", "weighted"))
    assert rows == [
        (this_month, "won", 1, D("700000.00"), D("700000.00")),
        (next_month, "commit", 1, D("1000000.00"), D("500000.00")),
        (next_month, "pipeline", 1, D("400000.00"), D("80000.00")),
    ]


def test_forecast_snapshot_is_taken_once_a_month(bare, rep):
    this_month = timezone.localdate().replace(day=1)
    bare(stage=5, amount="1000000", probability=50, close_date=this_month + datetime.timedelta(days=27))
    rollups.forecast_refresh()
    assert rollups.forecast_snapshot_take() == 1
    bare(stage=5, amount="3000000", probability=50, close_date=this_month + datetime.timedelta(days=27))
    rollups.forecast_refresh()
    assert rollups.forecast_snapshot_take() == 0  # the start-of-month forecast stays what it was
    snapshot = ForecastSnapshot.objects.get(owner=rep, month=this_month)
    assert (snapshot.pipeline, snapshot.weighted, snapshot.commit) == (D("1000000.00"), D("500000.00"), D("0"))
    assert snapshot.called == D("500000.00")


def test_stage_stats_conversion_and_days(bare, rep):
    start = timezone.now() - datetime.timedelta(days=300)
    # Four projects reached stage 2, two went on to 3, one of those won.
    p1 = bare(stage=8, status="won", furthest=8)
    p2 = bare(stage=3, status="lost", furthest=3)
    p3 = bare(stage=2, furthest=2)
    p4 = bare(stage=2, status="lost", furthest=2)
    bare(stage=1)
    for p, days in ((p1, 10), (p2, 20), (p3, 30), (p4, 50)):
        stay(p, 2, at=start, days=days, by=rep)

    stats = {s.stage.number: s for s in (rollups.stage_stats_refresh() and StageStat.objects.filter(team=None))}
    s2 = stats[2]
    assert (s2.reached, s2.advanced, s2.won, s2.lost) == (4, 2, 1, 2)
    assert s2.conversion == D("50.0")
    assert (s2.stays, s2.days_total, s2.median_days) == (4, 110, 20)
    assert s2.average_days == D("27.5")
    assert stats[1].reached == 5 and stats[8].advanced == 1
    team_stats = StageStat.objects.get(team_id=rep.team_id, stage__number=2)
    assert team_stats.reached == 4


def test_stall_norm_is_median_times_factor_with_a_fallback(bare, rep):
    start = timezone.now() - datetime.timedelta(days=300)
    for days in (10, 12, 14, 16, 18):
        stay(bare(stage=3, furthest=3), 3, at=start, days=days, by=rep)
    rollups.stage_stats_refresh()
    norms = rollups.stall_norms()
    assert norms[3] == 28  # median 14 × 2
    assert norms[4] == 30  # no history: the fallback


def test_rep_months_count_calls_visits_forms_advances_and_wins(rep, manager, make_project, stage):
    from demo.forms import demo_stage_form

    project = make_project()
    calls = demo_stage_form("F01", project=project, by=rep, status="submitted")  # handed in on time
    calls.rows.create(seq=2, found_whom="采购部王工")
    demo_stage_form("F05", project=project, by=rep, status="draft")
    services.project_advance_stage(project=project, to_stage=stage(2), by=manager, override_reason="客户已确认")
    won = make_project(name="已签约项目")
    services.project_close(project=won, outcome="won", by=manager, override_reason="合同已签", note="签约")

    rollups.rep_months_refresh()

    month = RepMonth.objects.get(owner=rep)
    assert month.calls == 2
    assert month.visits == 1
    assert (month.forms, month.forms_submitted, month.forms_on_time) == (2, 1, 1)
    assert (month.advances, month.ran_ahead) == (1, 1)  # the customer was still in stage 1
    assert (month.won, month.lost, month.won_amount) == (1, 0, D("1000000.00"))


def _snapshot_tables():
    return {
        "funnel": sorted(
            FunnelSnapshot.objects.values_list("pk", "day", "owner_id", "stage_id", "count", "amount", "weighted"),
            key=str,
        ),
        "forecast": sorted(
            ForecastRollup.objects.values_list("pk", "month", "owner_id", "category", "amount", "weighted"), key=str
        ),
        "rep_months": sorted(
            RepMonth.objects.values_list("pk", "month", "owner_id", "calls", "forms", "advances", "won"), key=str
        ),
        "stats": sorted(
            StageStat.objects.values_list("team_id", "stage_id", "reached", "advanced", "median_days"), key=str
        ),
        "anomalies": sorted(Anomaly.objects.values_list("pk", "key", "status", "severity", "details"), key=str),
        "models": list(WinModel.objects.values_list("pk", "closed", "won", "brier")),
        "probabilities": sorted(Project.objects.values_list("pk", "win_probability"), key=str),
    }


def test_running_the_full_rollup_twice_leaves_the_same_rows(bare, rep, teammate):
    for i in range(12):
        bare(owner=rep if i % 2 else teammate, stage=1 + i % 8, amount=f"{(i + 1) * 100000}", customer_stage=1 + i % 3)
    bare(stage=8, status="won")
    refresh_all()
    first = _snapshot_tables()
    refresh_all()
    assert _snapshot_tables() == first
    assert WinModel.objects.count() == 1


def test_incremental_updates_equal_a_full_recompute_on_random_data(
    rep, teammate, manager, customer, stage, django_capture_on_commit_callbacks
):
    """Random moves through the services, each refreshing its own rows after commit, then a full recompute."""
    rng = random.Random(20261128)
    owners = [rep, teammate, manager]
    customers = [customer, CustomerFactory(owner=teammate)]
    projects = []
    refresh_all()
    for step in range(40):
        with django_capture_on_commit_callbacks(execute=True):
            actions = ["create", "advance", "back", "close", "amount", "owner", "category"]
            action = rng.choice(actions if projects else ["create"])
            open_projects = [p for p in projects if p.is_open]
            if action == "create" or not open_projects:
                owner = rng.choice(owners)
                projects.append(
                    services.project_create(
                        project=Project(
                            customer=rng.choice(customers),
                            name=f"随机项目{step}",
                            owner=owner,
                            amount=D(rng.randrange(1, 50) * 100000),
                            expected_close_date=timezone.localdate() + datetime.timedelta(days=rng.randrange(-20, 200)),
                        ),
                        by=owner,
                    )
                )
                continue
            project = rng.choice(open_projects)
            if action == "advance" and project.stage.number < 8:
                target = stage(rng.randrange(project.stage.number + 1, 9))
                services.project_advance_stage(project=project, to_stage=target, by=manager, override_reason="测试")
            elif action == "back" and project.stage.number > 1:
                target = stage(rng.randrange(1, project.stage.number))
                services.project_step_back(project=project, to_stage=target, by=manager, reason="测试")
            elif action == "close":
                outcome = rng.choice(["won", "lost"])
                services.project_close(
                    project=project,
                    outcome=outcome,
                    by=manager,
                    lost_reason="price",
                    note="测试",
                    override_reason="测试",
                )
            elif action == "amount":
                project.amount = D(rng.randrange(1, 50) * 100000)
                project.expected_close_date += datetime.timedelta(days=rng.randrange(-10, 40))
                services.project_update(project=project, by=manager, changed_fields=["amount", "expected_close_date"])
            elif action == "owner":
                project.owner = rng.choice(owners)
                services.project_update(project=project, by=manager, changed_fields=["owner"])
            elif action == "category":
                forecast_category_set(
                    project=project, by=manager, category=rng.choice(["commit", "best_case", "omitted"])
                )
    incremental = (
        funnel_rows(),
        sorted(ForecastRollup.objects.values_list("month", "owner_id", "category", "count", "amount", "weighted")),
    )
    assert incremental[0], "the random walk left open projects in the funnel"
    rollups.funnel_refresh()
    rollups.forecast_refresh()
    full = (
        funnel_rows(),
        sorted(ForecastRollup.objects.values_list("month", "owner_id", "category", "count", "amount", "weighted")),
    )
    assert incremental == full
