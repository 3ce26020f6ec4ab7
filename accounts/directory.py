"""Who is in which team, read from the cache: every owner select, team filter and team table draws on it.

People and teams change when an administrator edits them; then the cached copy is dropped
(a login's last_login stamp is not such a change).
"""

from dataclasses import dataclass

from accounts.models import Team, User
from core.caching import cached, stamp_of
from core.caching import forget as forget_keys

KEY = "accounts:directory:1"
FIELDS = ("id", "username", "first_name", "last_name", "role", "team_id", "is_active", "is_superuser")


@dataclass
class Directory:
    teams: list[Team]  # by name
    people: list[User]  # the active ones, each with its team, by team name then username

    def team(self, pk) -> Team | None:
        return next((t for t in self.teams if str(t.pk) == str(pk)), None)

    def assignable(self, user) -> list[User]:
        """Whom ``user`` may name as owner or collector (as ``accounts.selectors.user_assignable_list``)."""
        if user.sees_everything:
            return self.people
        return [p for p in self.people if p.team_id == user.team_id]

    def team_members(self, team_id) -> list[User]:
        return sorted((p for p in self.people if p.team_id == team_id), key=lambda p: (p.role, p.username))

    def teams_for(self, user) -> list[Team]:
        return self.teams if user.sees_everything else [t for t in self.teams if t.pk == user.team_id]


def directory() -> Directory:
    return cached(KEY, _load)


def stamp() -> str:
    """Changes whenever the directory does: the key for markup drawn from it (a director's owner select)."""
    directory()
    return stamp_of(KEY)


def _load() -> Directory:
    teams = list(Team.objects.order_by("name"))
    by_pk = {t.pk: t for t in teams}
    people = list(User.objects.filter(is_active=True).only(*FIELDS))
    for person in people:
        person.team = by_pk.get(person.team_id) if person.team_id is not None else None
    people.sort(key=lambda p: (p.team is None, p.team.name if p.team else "", p.username))
    return Directory(teams=teams, people=people)


def forget(sender=None, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    forget_keys(KEY)
