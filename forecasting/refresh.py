"""The ways deal control is brought up to date: everything (its two halves, on the beat schedule as a
Celery group), or after one project moved."""

from __future__ import annotations

import datetime
import time

from django.db import transaction
from django.utils import timezone

from core.db import advisory_lock, session_settings
from forecasting import anomalies, backtest, probability, rollups
from forecasting.models import DealControlSettings


def refresh_all(*, full: bool = True) -> dict[str, float]:
    """Recompute the summary tables, refit the win-probability model, rescore, detect anomalies, and
    recount rep activity: both halves in this process, one after the other (``manage.py forecast_now``,
    the demo, the benchmark). The beat schedule runs the same halves as a Celery group instead
    (``forecasting.tasks.rollup_all``), so two worker processes run them side by side.

    ``full=False`` is the scheduled run: activity and won amounts of months before last month
    are left as they are (they do not change), and the model fitted earlier today is reused.
    Returns the seconds each step took. Running it twice leaves the same rows.
    """
    begun = time.perf_counter()
    timings = deal_control_refresh(full=full)
    timings.update(activity_refresh(full=full))
    timings["total"] = time.perf_counter() - begun
    return timings


# Every writer of deal control's summary tables holds this; rep activity (RepMonth) has its own,
# so the two halves of a roll-up can run at once, each alone on its tables.
ROLLUP_LOCK = "forecasting.rollups"
ACTIVITY_LOCK = "forecasting.rep_months"


def batch_settings():
    """PostgreSQL settings for the roll-up's few large scans: no JIT (it spent 1.3 s compiling the
    model fit's query), and room to sort and hash in memory instead of on disk."""
    return session_settings(jit="off", work_mem="64MB", max_parallel_workers_per_gather=0)


def _since(full: bool) -> datetime.date | None:
    return None if full else rollups.shift_months(rollups.month_start(timezone.localdate()), -1)


def _timed(timings: dict[str, float], name: str, fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    timings[name] = time.perf_counter() - started
    return result


def deal_control_refresh(*, full: bool = True) -> dict[str, float]:
    """Stage statistics, the win model and every open probability, funnel and forecast, the monthly
    snapshot and anomalies: one roll-up at a time, in one transaction (stopped anywhere, it leaves
    the old tables or the new, never some of each)."""
    timings: dict[str, float] = {}
    config = DealControlSettings.current()
    now = timezone.now()
    with advisory_lock(ROLLUP_LOCK), batch_settings(), transaction.atomic():
        _timed(timings, "stage_stats", rollups.stage_stats_refresh)
        norms = rollups.stall_norms(config=config)
        model = None if full else probability.latest_model(day=timezone.localdate())
        if model is None:
            model = _timed(timings, "win_model", probability.fit, config=config, now=now)
        _timed(timings, "probabilities", probability.score_open_projects, model=model, config=config, now=now)
        _timed(timings, "funnel_forecast", rollups.funnel_and_forecast_refresh, since=_since(full))
        _timed(timings, "forecast_snapshot", rollups.forecast_snapshot_take)
        _timed(timings, "anomalies", anomalies.detect, norms=norms, config=config, now=now)
    return timings


def activity_refresh(*, full: bool = True) -> dict[str, float]:
    """Every rep's activity rows (calls, visits, forms, advances, wins), in one transaction."""
    timings: dict[str, float] = {}
    with advisory_lock(ACTIVITY_LOCK), batch_settings(), transaction.atomic():
        _timed(timings, "rep_months", rollups.rep_months_refresh, since=_since(full))
    return timings


def refresh_project(*, project_id: int, owner_ids, since: datetime.date | None = None) -> None:
    """After one project changed: its probability, its reps' funnel, forecast and activity rows, its anomalies.

    Activity (advances, wins) is recounted from last month on, or from ``since`` when the change
    reaches further back (a project reopened long after it was won).
    """
    with advisory_lock(ROLLUP_LOCK), advisory_lock(ACTIVITY_LOCK), transaction.atomic():
        config = DealControlSettings.current()
        probability.score_open_projects(model=probability.latest_model(), project_ids=[project_id], config=config)
        rollups.owner_rollups_refresh(owner_ids=owner_ids)
        refresh_activity(owner_ids=owner_ids, since=since)
        anomalies.detect(norms=rollups.stall_norms(config=config), project_ids=[project_id], config=config)


def refresh_activity(*, owner_ids, since: datetime.date | None = None) -> None:
    """These reps' activity rows (calls, visits, forms, advances, wins), from the month of ``since`` on."""
    last_month = rollups.shift_months(rollups.month_start(timezone.localdate()), -1)
    start = min(rollups.month_start(since), last_month) if since else last_month
    with advisory_lock(ACTIVITY_LOCK):
        rollups.rep_months_refresh(owner_ids=owner_ids, since=start)


def backtest_and_refit(*, now=None):
    """The daily forward backtest, then today's model refitted with the tuning it chose and every
    open project rescored by it. Returns the backtest."""
    now = now or timezone.now()
    result = backtest.run(now=now)
    with advisory_lock(ROLLUP_LOCK), transaction.atomic():
        model = probability.fit(now=now)
        probability.score_open_projects(model=model, now=now)
    return result
