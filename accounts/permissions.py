"""What a role may do, declared once: each rule is a predicate and how a refusal answers.

The answer follows the visibility module's rule everywhere: a page about something outside the
user's scope (another team's dashboard, another rep's scorecard) answers 404, as if it did not
exist (``hidden``); a page or action the user may know of but whose role does not allow it (the
company view for a rep, a recompute) answers 403. Views name the rule they need with
``@requires(rule)`` or call ``demand(rule, user, ...)``; templates and services ask ``rule(user, ...)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class Rule:
    name: str
    test: Callable[..., bool]
    hidden: bool = False  # refused: 404 (outside the user's scope) rather than 403

    def __call__(self, user: User, **scope: Any) -> bool:
        return bool(user.is_authenticated and self.test(user, **scope))


def demand(rule: Rule, user: User, **scope: Any) -> None:
    """Go on only if ``rule`` allows it: else 404 for a hidden rule, 403 for the others."""
    if not rule(user, **scope):
        raise Http404 if rule.hidden else PermissionDenied


def requires(rule: Rule, **from_url: str) -> Callable:
    """A view decorator: ``@requires(team_dashboard, team_id="team_id")`` passes URL arguments as the scope."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            demand(rule, request.user, **{name: kwargs[arg] for name, arg in from_url.items()})
            return view(request, *args, **kwargs)

        wrapped.rule = rule  # type: ignore[attr-defined]  # what the view needs, for tests and docs
        return wrapped

    return decorate


director = Rule("director", lambda user: user.sees_everything)
manager = Rule("manager", lambda user: user.is_manager or user.sees_everything)
# A team's own numbers: its manager, and directors.
manages_team = Rule("manages_team", lambda user, team_id: user.sees_everything or user.manages(team_id), hidden=True)
# A rep's scorecard: the rep, their team's manager, directors.
sees_rep = Rule(
    "sees_rep",
    lambda user, rep: rep.pk == user.pk or user.sees_everything or (user.is_manager and user.manages(rep.team_id)),
    hidden=True,
)
# What a manager does for a team (targets, anomalies, forecast adjustments, gate overrides).
acts_for_team = Rule("acts_for_team", lambda user, team_id: user.sees_everything or user.manages(team_id))
