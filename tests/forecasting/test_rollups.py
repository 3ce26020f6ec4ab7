import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
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


def _within(rows, *, since=None, owner_ids=None):
    """Rep-month rows (month first, owner third) that a refresh with this scope rewrites."""
    return [r for r in rows if (owner_ids is None or r[2] in owner_ids) and (since is None or r[0] >= since)]


def _rep_month_rows():
    counters = [f.name for f in RepMonth._meta.concrete_fields if f.name not in ("id",)]
    return sorted(RepMonth.objects.values_list(*counters), key=str)


def _redate(form, **fields):
    """Move a form in time: the form and its FormRecord, as StageForm.save writes both."""
    for name, value in fields.items():
        setattr(form, name, value)
    form.save(update_fields=list(fields))


@pytest.fixture
def months_of_activity(bare, rep, teammate, manager, make_project):
    """Three months of forms (one handed in late), advances ahead of and behind the customer, wins and losses."""
    from demo.forms import demo_stage_form

    today = timezone.localdate()
    for months_ago, owner in ((0, rep), (1, rep), (2, teammate), (3, rep)):
        day = rollups.shift_months(rollups.month_start(today), -months_ago) + datetime.timedelta(days=3)
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        project = bare(owner=owner, stage=3, created_at=moment - datetime.timedelta(days=40, hours=5))
        calls = demo_stage_form("F01", project=project, by=owner, status="submitted")
        _redate(calls, filled_on=day, submitted_at=moment)
        visit = demo_stage_form("F05", project=project, by=owner, status="submitted")
        _redate(visit, filled_on=day, submitted_at=moment + datetime.timedelta(days=30))
        stay(project, 2, at=moment, days=5, by=owner, customer_stage=1)
        stay(project, 3, at=moment + datetime.timedelta(days=5), by=owner, customer_stage=3)
        bare(
            owner=owner,
            stage=6,
            status="won",
            amount="123456.785",
            closed_at=moment,
            created_at=moment - datetime.timedelta(days=90, hours=7),
        )
        bare(owner=owner, stage=2, status="lost", closed_at=moment)


def test_rep_months_count_losses_cycle_days_and_late_forms(rep, months_of_activity):
    rollups.rep_months_refresh()

    month = RepMonth.objects.get(owner=rep, month=rollups.month_start(timezone.localdate()))
    assert (month.won, month.lost, month.won_amount) == (1, 1, D("123456.79"))
    assert month.cycle_days_total == 90
    assert (month.advances, month.ran_ahead) == (2, 1)
    assert month.visits == 1 and month.forms_on_time < month.forms_submitted


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes rep-months in one statement")
def test_rep_months_statement_equals_the_orm_path(rep, teammate, months_of_activity):
    settings = {"on_time_days": 3}
    since = rollups.shift_months(rollups.month_start(timezone.localdate()), -1)
    for scope in ({}, {"since": since}, {"owner_ids": [teammate.pk]}, {"since": since, "owner_ids": [rep.pk]}):
        RepMonth.objects.all().delete()
        rollups._rep_months_orm(owner_ids=None, since=None, **settings)
        rollups._rep_months_orm(**{"owner_ids": None, "since": None} | scope, **settings)
        expected = _rep_month_rows()
        RepMonth.objects.filter(owner=rep).update(calls=99)  # stale rows in scope are put right,
        RepMonth.objects.create(owner=rep, team=rep.team, month=since.replace(year=since.year + 1), calls=5)  # gone
        rollups._rep_months_sql(**{"owner_ids": None, "since": None} | scope, **settings)
        assert _within(_rep_month_rows(), **scope) == _within(expected, **scope), scope


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes rep-months in one statement")
def test_rep_months_statement_puts_month_edges_and_odd_dates_where_the_orm_does(bare, rep, teammate):
    """Moments just either side of local midnight on the 1st, and dates far outside the months the
    statement looks up (a form dated 0202 by a typo, one in 2099), land in the same months."""
    from demo.forms import demo_stage_form

    tz = timezone.get_current_timezone()
    first = rollups.shift_months(rollups.month_start(timezone.localdate()), -2)
    midnight = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    for moment in (midnight - datetime.timedelta(seconds=1), midnight, midnight + datetime.timedelta(minutes=30)):
        project = bare(owner=rep, stage=3, created_at=moment - datetime.timedelta(days=20))
        stay(project, 2, at=moment, days=3, by=rep, customer_stage=1)
        bare(owner=teammate, stage=5, status="won", closed_at=moment, created_at=moment - datetime.timedelta(days=50))
    for day in (datetime.date(202, 11, 29), datetime.date(1999, 12, 31), datetime.date(2099, 1, 1), first):
        visit = demo_stage_form("F05", project=project, by=rep, status="submitted")
        _redate(visit, filled_on=day)
    settings = {"on_time_days": 3}
    rollups._rep_months_orm(owner_ids=None, since=None, **settings)
    expected = _rep_month_rows()
    RepMonth.objects.all().delete()
    rollups._rep_months_sql(owner_ids=None, since=None, **settings)
    assert _rep_month_rows() == expected
    months = set(RepMonth.objects.values_list("month", flat=True))
    assert {datetime.date(202, 11, 1), datetime.date(1999, 12, 1), datetime.date(2099, 1, 1)} <= months
    assert {rollups.shift_months(first, -1), first} <= months


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL writes funnel and forecast in one statement")
def test_funnel_and_forecast_statement_equals_the_orm_path(bare, rep, teammate, manager):
    month = rollups.month_start(timezone.localdate())
    for i in range(10):
        closed = timezone.now() - datetime.timedelta(days=40 * i)
        bare(owner=(rep, teammate)[i % 2], stage=6, status="won", amount=f"{i + 1}00000.005", closed_at=closed)
        project = bare(
            owner=(rep, teammate, manager)[i % 3],
            stage=1 + i % 8,
            amount=f"{i + 2}00000",
            probability=i * 7,
            close_date=month + datetime.timedelta(days=35 * i),
        )
        if i % 3:
            forecast_category_set(project=project, by=manager, category=("commit", "best_case")[i % 2])

    def tables():
        funnel = sorted(
            FunnelSnapshot.objects.values_list("day", "owner_id", "stage_id", "count", "amount", "weighted")
        )
        forecast = sorted(
            ForecastRollup.objects.values_list("month", "owner_id", "category", "count", "amount", "weighted")
        )
        return funnel, forecast

    since = rollups.shift_months(month, -1)
    for scope in (
        {},
        {"since": since},
        {"owner_ids": [rep.pk, manager.pk]},
        {"since": since, "owner_ids": [teammate.pk]},
    ):
        FunnelSnapshot.objects.all().delete()
        ForecastRollup.objects.all().delete()
        rollups.funnel_refresh()
        rollups.forecast_refresh()
        expected = tables()
        ForecastRollup.objects.update(amount=1)  # rows in scope are put right, the others kept
        FunnelSnapshot.objects.update(count=99)
        ForecastRollup.objects.create(
            month=month, owner=rep, team=rep.team, category="commit", count=1, amount=1, weighted=1
        )
        before = tables()
        rollups.funnel_and_forecast_refresh(**scope)
        funnel, forecast = tables()
        assert _rewritten(funnel, **scope) == _rewritten(expected[0], **scope), scope
        assert _rewritten(forecast, **scope) == _rewritten(expected[1], **scope), scope
        assert [r for r in funnel + forecast if r not in _rewritten(funnel + forecast, **scope)] == [
            r for r in before[0] + before[1] if r not in _rewritten(before[0] + before[1], **scope)
        ], scope


def _rewritten(rows, *, owner_ids=None, since=None):
    """Funnel or forecast rows (day or month, owner, stage or category, ...) that a refresh with this scope rewrites:
    a rep's rows, and of the won amounts only those from ``since`` on."""
    return [
        r
        for r in rows
        if (owner_ids is None or r[1] in owner_ids) and (since is None or r[2] != "won" or r[0] >= since)
    ]


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
        "models": list(WinModel.objects.values_list("pk", "closed", "won", "learned")),
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
