"""Celery tasks of deal control: idempotent, acknowledged late, retried when the database or broker hiccups."""

import datetime

from celery import group, shared_task
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


@shared_task(bind=True, name="forecasting.rollup_all", **RETRY)
def rollup_all(self, full: bool = False) -> None:
    """The whole roll-up as a group: deal control's tables and rep activity, on two worker
    processes at once (each half holds its own lock, in its own transaction), sent to the queue
    this task came from."""
    queue = (self.request.delivery_info or {}).get("routing_key")
    group(rollup_deal_control.si(full), rollup_activity.si(full)).apply_async(**({"queue": queue} if queue else {}))


@shared_task(name="forecasting.rollup_deal_control", **RETRY)
def rollup_deal_control(full: bool = False) -> dict[str, float]:
    return refresh.deal_control_refresh(full=full)


@shared_task(name="forecasting.rollup_activity", **RETRY)
def rollup_activity(full: bool = False) -> dict[str, float]:
    return refresh.activity_refresh(full=full)


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
