"""Celery tasks of deal control: idempotent, acknowledged late, retried when the database or broker hiccups."""

import datetime

from celery import shared_task
from django.db import InterfaceError, OperationalError

from forecasting import refresh

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError, ConnectionError, TimeoutError),
    "retry_backoff": True,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="forecasting.rollup_all", **RETRY)
def rollup_all(full: bool = False) -> dict[str, float]:
    return refresh.refresh_all(full=full)


@shared_task(name="forecasting.backtest", **RETRY)
def backtest() -> int:
    return refresh.backtest_and_refit().judged


@shared_task(name="forecasting.project_changed", **RETRY)
def project_changed(project_id: int, owner_ids: list[int], since: str | None = None) -> None:
    refresh.refresh_project(project_id=project_id, owner_ids=owner_ids, since=_day(since))


@shared_task(name="forecasting.activity_changed", **RETRY)
def activity_changed(owner_ids: list[int], since: str) -> None:
    refresh.refresh_activity(owner_ids=owner_ids, since=_day(since))


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def on_project_change(*, project_id: int, owner_ids: list[int], since: datetime.date | None = None) -> None:
    """Listener for ``pipeline.hooks``: enqueue the refresh once the change is committed."""
    project_changed.delay_on_commit(project_id, owner_ids, since.isoformat() if since else None)


def on_activity_change(*, owner_ids: list[int], since: datetime.date) -> None:
    if owner_ids:
        activity_changed.delay_on_commit(owner_ids, since.isoformat())
