"""The two ways deal control is brought up to date: everything (on the beat schedule), or after one project moved."""

from __future__ import annotations

import datetime
import threading
import time

from django.db import connection, connections, transaction
from django.utils import timezone

from core.db import advisory_lock, session_settings
from forecasting import anomalies, backtest, probability, rollups
from forecasting.models import DealControlSettings


def refresh_all(*, full: bool = True) -> dict[str, float]:
    """Recompute the summary tables, refit the win-probability model, rescore, detect anomalies.

    ``full=False`` is the scheduled run: activity and won amounts of months before last month
    are left as they are (they do not change), and the model fitted earlier today is reused.
    Returns the seconds each step took. Running it twice leaves the same rows.

    One roll-up at a time (the beat, the daily run, 重新计算 and per-project refreshes would race on
    the same rows), and each half in one transaction: stopped anywhere, it leaves the old tables or
    the new, never some of each.
    """
    with advisory_lock(ROLLUP_LOCK), batch_settings():
        return _refresh_all(full=full)


# Every writer of deal control's summary tables holds this.
ROLLUP_LOCK = "forecasting.rollups"


def batch_settings():
    """PostgreSQL settings for the roll-up's few large scans: no JIT (it spent 1.3 s compiling the
    model fit's query), and room to sort and hash in memory instead of on disk."""
    return session_settings(jit="off", work_mem="64MB", max_parallel_workers_per_gather=0)


def _refresh_all(*, full: bool) -> dict[str, float]:
    timings: dict[str, float] = {}
    config = DealControlSettings.current()
    now = timezone.now()
    begun = time.perf_counter()

    def step(name, fn, *args, **kwargs):
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        timings[name] = time.perf_counter() - started
        return result

    since = None if full else rollups.shift_months(rollups.month_start(timezone.localdate()), -1)
    # Rep activity depends on nothing else here: on PostgreSQL it runs beside the rest on a second
    # connection (the two halves take about as long; the database works on both at once).
    beside = _Beside(lambda: step("rep_months", rollups.rep_months_refresh, since=since))
    try:
        with transaction.atomic():
            step("stage_stats", rollups.stage_stats_refresh)
            norms = rollups.stall_norms(config=config)
            model = None if full else probability.latest_model(day=timezone.localdate())
            if model is None:
                model = step("win_model", probability.fit, config=config, now=now)
            step("probabilities", probability.score_open_projects, model=model, config=config, now=now)
            step("funnel_forecast", rollups.funnel_and_forecast_refresh, since=since)
            step("forecast_snapshot", rollups.forecast_snapshot_take)
            step("anomalies", anomalies.detect, norms=norms, config=config, now=now)
    except BaseException:
        beside.wait(raising=False)  # its connection is closed before the error goes on
        raise
    beside.wait()
    timings["total"] = time.perf_counter() - begun
    return timings


class _Beside:
    """Run ``fn`` on a thread of its own (PostgreSQL outside a transaction), or, on one connection,
    when it is waited for; ``wait`` raises its error, if any."""

    def __init__(self, fn):
        self.fn, self.error, self.thread = fn, None, None
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            self.thread = threading.Thread(target=self._run, name="rollup-beside")
            self.thread.start()

    def _run(self):
        try:
            with transaction.atomic(), batch_settings():
                self.fn()
        except BaseException as error:  # handed to the caller
            self.error = error
        finally:
            connections.close_all()

    def wait(self, *, raising: bool = True) -> None:
        if self.thread is None:
            if raising:
                with transaction.atomic():
                    self.fn()
            return
        self.thread.join()
        if self.error is not None and raising:
            raise self.error


def refresh_project(*, project_id: int, owner_ids, since: datetime.date | None = None) -> None:
    """After one project changed: its probability, its reps' funnel, forecast and activity rows, its anomalies.

    Activity (advances, wins) is recounted from last month on, or from ``since`` when the change
    reaches further back (a project reopened long after it was won).
    """
    with advisory_lock(ROLLUP_LOCK), transaction.atomic():
        config = DealControlSettings.current()
        probability.score_open_projects(model=probability.latest_model(), project_ids=[project_id], config=config)
        rollups.owner_rollups_refresh(owner_ids=owner_ids)
        refresh_activity(owner_ids=owner_ids, since=since)
        anomalies.detect(norms=rollups.stall_norms(config=config), project_ids=[project_id], config=config)


def refresh_activity(*, owner_ids, since: datetime.date | None = None) -> None:
    """These reps' activity rows (calls, visits, forms, advances, wins), from the month of ``since`` on."""
    last_month = rollups.shift_months(rollups.month_start(timezone.localdate()), -1)
    start = min(rollups.month_start(since), last_month) if since else last_month
    with advisory_lock(ROLLUP_LOCK):
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
