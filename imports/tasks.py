"""The check and the import run in the worker: a large file takes longer than a request may."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from imports import services

RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "max_retries": 3,
}


@shared_task(name="imports.check", **RETRY)
def check(run_id: int) -> None:
    services.import_check(run_id=run_id)


@shared_task(name="imports.apply", **RETRY)
def apply(run_id: int) -> None:
    services.import_apply(run_id=run_id)
