"""Celery tasks of deal control: idempotent, acknowledged late, retried when the database or broker hiccups."""

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


@shared_task(name="forecasting.project_changed", **RETRY)
def project_changed(project_id: int, owner_ids: list[int]) -> None:
    refresh.refresh_project(project_id=project_id, owner_ids=owner_ids)


def on_project_change(*, project_id: int, owner_ids: list[int]) -> None:
    """Listener for ``pipeline.hooks``: enqueue the refresh once the change is committed."""
    project_changed.delay_on_commit(project_id, owner_ids)
