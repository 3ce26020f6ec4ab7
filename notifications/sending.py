"""One delivery, sent once: it is claimed under a row lock before the send and marked sent after, so
a second copy of the task (a redelivery after a worker was killed, a retry racing the sweep) finds
it sent, or claimed and waits the claim out, instead of sending it again. A claim a dead worker left
behind expires after ``NOTIFY_SEND_LEASE_SECONDS``, longer than any send may take (the SMTP and HTTP
timeouts are shorter), and the delivery is then sent by whoever comes next."""

from __future__ import annotations

import datetime
import logging
import math

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import channels
from notifications.models import Delivery

log = logging.getLogger(__name__)


def backoff(attempts: int) -> int:
    """Seconds before the next try: 30 s, 1, 2, 4 … minutes, at most an hour."""
    return min(settings.NOTIFY_RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1), 3600)


def attempt(delivery_id: int) -> int | None:
    """Try to send; the seconds until it should be tried again, or None when there is nothing more to do."""
    now = timezone.now()
    lease = settings.NOTIFY_SEND_LEASE_SECONDS
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification", "robot")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in (Delivery.Status.SENT, Delivery.Status.FAILED):
            return None
        if delivery.status == Delivery.Status.SENDING and delivery.claimed_at:
            left = (delivery.claimed_at - now).total_seconds() + lease
            if left > 0:
                return math.ceil(left) + 1
        delivery.status, delivery.claimed_at = Delivery.Status.SENDING, now
        delivery.attempts += 1
        delivery.save(update_fields=["status", "claimed_at", "attempts"])
    try:
        channels.send(delivery)
    except Exception as error:  # noqa: BLE001 (whatever a channel raises is that channel's failure, kept and retried)
        final = delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
        wait = None if final else backoff(delivery.attempts)
        log.warning(
            "notification %s to %s failed (try %s): %s", delivery.key, delivery.target, delivery.attempts, error
        )
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.FAILED if final else Delivery.Status.PENDING,
            claimed_at=None,
            next_attempt_at=None if wait is None else timezone.now() + datetime.timedelta(seconds=wait),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        return wait
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    return None


def due_ids(limit: int = 1000) -> list[int]:
    """Deliveries waiting past their time, or claimed by a worker that never came back."""
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.NOTIFY_SEND_LEASE_SECONDS)
    waiting = Q(status=Delivery.Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    abandoned = Q(status=Delivery.Status.SENDING, claimed_at__lt=stale)
    return list(Delivery.objects.filter(waiting | abandoned).values_list("pk", flat=True)[:limit])
