"""The notifications' Celery tasks: one delivery each, the morning digest and the sweep."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from notifications import digest, sending, services


@shared_task(
    bind=True,
    name="notifications.deliver",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=None,
)
def deliver(self, delivery_id: int) -> None:
    wait = sending.attempt(delivery_id)
    # Run eagerly (no broker: development), a failed send waits for the sweep instead of spinning here.
    if wait is not None and not self.request.is_eager:
        raise self.retry(countdown=wait, max_retries=None)


@shared_task(name="notifications.task_digest", acks_late=True)
def task_digest() -> int:
    return digest.send(today=timezone.localdate())


@shared_task(name="notifications.send_due", acks_late=True)
def send_due() -> int:
    return services.send_pending()
