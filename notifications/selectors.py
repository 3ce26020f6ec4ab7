from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from notifications.models import Delivery, Notification, Robot

if TYPE_CHECKING:
    from accounts.models import User


def notifications_of(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, in_app=True).order_by("-created_at", "-pk")


def robots_of(user: User) -> QuerySet[Robot]:
    """The robots a person sees on their settings: their own and their team's."""
    scope = Q(user=user)
    if user.team_id is not None:
        scope |= Q(team_id=user.team_id)
    return Robot.objects.filter(scope).select_related("team")


def recent_deliveries(user: User, limit: int = 15) -> list[Delivery]:
    return list(
        Delivery.objects.filter(notification__recipient=user)
        .select_related("notification", "robot")
        .order_by("-pk")[:limit]
    )
