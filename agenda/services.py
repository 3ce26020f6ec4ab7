from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from agenda.models import CalendarFeed, new_token
from core.history import attribute_change

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def feed_issue(*, user: User) -> CalendarFeed:
    """A new secret address for the user's feed; any earlier one stops working."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first() or CalendarFeed(user=user)
    feed.token = new_token()
    feed.created_at = timezone.now()
    attribute_change(feed, user)
    feed.save()
    return feed


@transaction.atomic
def feed_revoke(*, user: User) -> None:
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        attribute_change(feed, user)
        feed.delete()


def feed_read(*, feed: CalendarFeed) -> None:
    """Remember when a calendar app last fetched the feed (at most once a minute: apps poll)."""
    now = timezone.now()
    if feed.last_read_at is None or (now - feed.last_read_at).total_seconds() > 60:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=now)
