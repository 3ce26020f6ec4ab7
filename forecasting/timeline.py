"""What a project looked like at a moment in its past: the stage it was in and for how long, the
customer's stage as the rep had recorded it by then, and its buying center as it stood then.

The win model learns from these point-in-time states, never from how a closed project ended up:
a project won in step with its customer is not "lagging" at the stages it passed, and a decision
maker who turned against us after stage 3 is not seen by stage 3.

Sources, in order of trust: the stage history (every stay's start and end; the customer stage on
each change), the customer-stage observations (when each was recorded), and the buying center's
history (each role as of each change). A role with no history at all (written before history was
kept) is taken to have stood as it stands now for the whole life of the project; a project with no
stage history at all is taken to have passed stages 1 to its furthest, seen only at their entry.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from pipeline.models import BuyingCenterMember, CustomerStageObservation, Project, StageChange

WON = Project.Status.WON
CLOSED = (Project.Status.WON, Project.Status.LOST, Project.Status.ABANDONED)
DECISION_MAKER = BuyingCenterMember.Role.DECISION_MAKER
# Points in a stay at which a past project is looked at: multiples of the stage's usual length.
CHECKPOINTS = (0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)


@dataclass(frozen=True)
class State:
    """One project at one moment: what the model reads."""

    project_id: int
    stage: int
    days: float  # how long the stay had lasted at that moment
    category: str
    industry: str
    source: str
    red_flag: bool  # no decision maker known, or one opposed or out of touch
    customer_stage: int | None
    owner_id: int | None = None
    at: datetime.datetime | None = None  # the moment


@dataclass
class Stay:
    stage: int
    start: datetime.datetime
    end: datetime.datetime | None  # None: still there
    customer_stage: int | None  # recorded on the change that began it


@dataclass
class Life:
    """A project's recorded past, loaded once for any number of moments."""

    pk: int
    owner_id: int
    status: str
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    category: str
    industry: str
    source: str
    stays: list[Stay] = field(default_factory=list)
    observed: list[tuple[datetime.datetime, int]] = field(default_factory=list)  # (recorded at, stage)
    # role -> [(from, red?)]: each buying-center role's standing from each of its changes; None = gone
    roles: dict[int, list[tuple[datetime.datetime | None, tuple | None]]] = field(default_factory=dict)
    guessed: bool = False  # no stage history: its stays are stages 1 to its furthest, seen on entry

    @property
    def won(self) -> bool:
        return self.status == WON

    def reached(self) -> set[int]:
        return {s.stage for s in self.stays}

    def stay_at(self, moment: datetime.datetime) -> Stay | None:
        current = None
        for s in self.stays:
            if s.start <= moment:
                current = s
            else:
                break
        return current

    def customer_stage_at(self, moment: datetime.datetime, stay: Stay) -> int | None:
        i = bisect.bisect_right(self.observed, moment, key=lambda seen: seen[0])
        if i:
            return self.observed[i - 1][1]
        return stay.customer_stage

    def red_flag_at(self, moment: datetime.datetime) -> bool:
        decision_makers = []
        for versions in self.roles.values():
            standing = None
            for since, value in versions:
                if since is None or since <= moment:
                    standing = value
                else:
                    break
            if standing and standing[0] == DECISION_MAKER:
                decision_makers.append(standing)
        if not decision_makers:
            return True
        return any(
            attitude == BuyingCenterMember.Attitude.OPPONENT or closeness == BuyingCenterMember.Closeness.NONE
            for _role, attitude, closeness in decision_makers
        )

    def state_at(self, moment: datetime.datetime) -> State | None:
        """The project as it stood at ``moment`` (None if it did not exist or was closed then)."""
        if moment < self.created_at or (self.closed_at is not None and self.closed_at <= moment):
            return None
        stay = self.stay_at(moment)
        if stay is None or (stay.end is not None and stay.end <= moment):
            return None
        return self._state(stay, moment, (moment - stay.start).total_seconds() / 86400)

    def _state(self, stay: Stay, moment: datetime.datetime, days: float) -> State:
        return State(
            project_id=self.pk,
            stage=stay.stage,
            days=days,
            category=self.category,
            industry=self.industry,
            source=self.source,
            red_flag=self.red_flag_at(moment),
            customer_stage=self.customer_stage_at(moment, stay),
            owner_id=self.owner_id,
            at=moment,
        )

    def examples(self, usual_days: dict[int, float]) -> list[State]:
        """Every stay, looked at on entry and at each checkpoint it lasted to: the training examples."""
        out = []
        for stay in self.stays:
            end = stay.end or self.closed_at
            length = (end - stay.start).total_seconds() / 86400 if end else 0.0
            usual = usual_days.get(stay.stage, 1.0)
            for r in CHECKPOINTS:
                days = r * usual
                if r and days >= length:
                    break
                out.append(self._state(stay, stay.start + datetime.timedelta(days=days), days))
        return out


def load(projects: QuerySet[Project]) -> dict[int, Life]:
    """The recorded past of every project in the queryset ``projects``, in a handful of queries."""
    lives: dict[int, Life] = {}
    rows = projects.order_by().values_list(
        "pk",
        "owner_id",
        "status",
        "created_at",
        "closed_at",
        "customer__category",
        "customer__industry",
        "customer__source",
        "furthest_stage_number",
        "customer_stage__number",
        "customer_stage_observed_on",
    )
    furthest, last_seen = {}, {}
    for pk, owner, status, created, closed, category, industry, source, far, seen, seen_on in rows:
        lives[pk] = Life(pk, owner, status, created, closed, category or "", industry or "", source or "")
        furthest[pk] = far
        last_seen[pk] = (seen, seen_on)
    if not lives:
        return lives
    # The ids as a list, a few thousand at a time: an index lookup each, where the queryset as a
    # subquery would have the database work out the sample again for every table.
    chunks = [sorted(lives)[i : i + CHUNK] for i in range(0, len(lives), CHUNK)]
    changes = (
        row
        for ids in chunks
        for row in StageChange.objects.filter(project_id__in=ids)
        .order_by("project_id", "at", "pk")
        .values_list("project_id", "kind", "to_stage__number", "at", "customer_stage__number")
    )
    previous = None
    for pid, kind, stage, at, customer_stage in changes:
        life = lives.get(pid)
        if life is None:
            continue
        if previous is not None and previous[0] == pid and previous[1].end is None:
            previous[1].end = at
        if kind in StageChange.STAY_KINDS:
            stay = Stay(stage, at, None, customer_stage)
            life.stays.append(stay)
            previous = (pid, stay)
        else:
            previous = None
    for life in lives.values():
        if not life.stays:  # no stage history: stages 1 to the furthest, each seen on entry only
            life.guessed = True
            life.stays = [Stay(n, life.created_at, life.created_at, None) for n in range(1, furthest[life.pk] + 1)]
        elif life.closed_at is not None and life.stays[-1].end is None:
            life.stays[-1].end = life.closed_at
    for ids in chunks:
        observations = (
            CustomerStageObservation.objects.filter(project_id__in=ids)
            .order_by("project_id", "recorded_at", "pk")
            .values_list("project_id", "recorded_at", "stage__number")
        )
        for pid, at, stage in observations:
            lives[pid].observed.append((at, stage))
        _load_buying_centers(lives, ids)
    for pk, life in lives.items():
        # Nothing recorded along a real stage history: the project's own customer stage, from the day
        # it was observed (never for guessed stays: that is how a won project looked "lagging" before).
        seen, seen_on = last_seen[pk]
        recorded = life.observed or any(s.customer_stage for s in life.stays)
        if not (life.guessed or recorded) and seen and seen_on:
            moment = timezone.make_aware(datetime.datetime.combine(seen_on, datetime.time.min))
            life.observed.append((moment, seen))
    return lives


CHUNK = 5000


def _load_buying_centers(lives: dict[int, Life], ids: Iterable[int]) -> None:
    history = BuyingCenterMember.history.model
    with_history = set()
    versions = (
        history.objects.filter(project_id__in=ids)
        .order_by("id", "history_date", "history_id")
        .values_list("project_id", "id", "history_date", "history_type", "role", "attitude", "closeness")
    )
    for pid, member, at, kind, role, attitude, closeness in versions:
        with_history.add(member)
        standing = None if kind == "-" else (role, attitude, closeness)
        lives[pid].roles.setdefault(member, []).append((at, standing))
    current = BuyingCenterMember.objects.filter(project_id__in=ids).values_list(
        "project_id", "pk", "role", "attitude", "closeness"
    )
    for pid, member, role, attitude, closeness in current:
        if member not in with_history:  # written before history was kept: as it is now, all along
            lives[pid].roles[member] = [(None, (role, attitude, closeness))]


def usual_days(lives: Iterable[Life], *, fallback: float) -> dict[int, float]:
    """The median length of a finished stay in each stage (at least five of them), else ``fallback``."""
    lengths: dict[int, list[float]] = {}
    for life in lives:
        for stay in life.stays:
            if stay.end is not None and stay.end > stay.start:
                lengths.setdefault(stay.stage, []).append((stay.end - stay.start).total_seconds() / 86400)
    out = {}
    for number in range(1, 9):
        values = sorted(lengths.get(number, []))
        out[number] = max(values[len(values) // 2], 1.0) if len(values) >= 5 else fallback
    return out
