"""Who reads and who edits: the one place the rules live.

A rep reads everything of their team and edits what they own; a manager reads
and edits the team's; directors and admins read and edit everything. A model
takes part by using ``TeamScopedQuerySet`` and ``TeamScopedMixin`` and naming
the paths to its team and to its owner(s).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from accounts.models import User


def _follow(obj: Any, path: str) -> Any:
    """Follow a ``a__b_id`` path on an instance (no query when the path ends in _id of a loaded row)."""
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


class TeamScopedQuerySet(models.QuerySet):
    team_path = "team"
    owner_paths: tuple[str, ...] = ("owner",)

    def visible_to(self, user: User) -> TeamScopedQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        if user.team_id is None:
            return self.none()
        return self.filter(**{f"{self.team_path}_id": user.team_id})

    def editable_by(self, user: User) -> TeamScopedQuerySet:
        visible = self.visible_to(user)
        if not user.is_authenticated or user.sees_everything or user.is_manager:
            return visible
        owned = models.Q()
        for path in self.owner_paths:
            owned |= models.Q(**{f"{path}_id": user.pk})
        return visible.filter(owned)


class TeamScopedMixin:
    """Row-level answers that match the queryset, for an object already loaded."""

    team_path = "team"
    owner_paths: tuple[str, ...] = ("owner",)

    def team_id_for_visibility(self) -> int | None:
        return _follow(self, f"{self.team_path}_id")

    def is_visible_to(self, user: User) -> bool:
        if not user.is_authenticated:
            return False
        if user.sees_everything:
            return True
        return user.team_id is not None and user.team_id == self.team_id_for_visibility()

    def is_editable_by(self, user: User) -> bool:
        if not self.is_visible_to(user):
            return False
        if user.sees_everything or user.is_manager:
            return True
        return any(_follow(self, f"{path}_id") == user.pk for path in self.owner_paths)


def get_visible_or_404[M: models.Model](queryset: models.QuerySet[M], user: User, **lookup: Any) -> M:
    """Fetch a row the user may read; another team's row answers 404 as if it did not exist."""
    try:
        return queryset.visible_to(user).get(**lookup)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError):
        raise Http404 from None


def get_editable_or_404[M: models.Model](queryset: models.QuerySet[M], user: User, **lookup: Any) -> M:
    """Fetch a row the user may edit: 404 when they cannot see it, 403 when they only read it."""
    obj = get_visible_or_404(queryset, user, **lookup)
    if not obj.is_editable_by(user):  # type: ignore[attr-defined]
        raise PermissionDenied
    return obj
