"""Reads that cross relations: the board, the two tracks, the timeline, my day, the case library."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline import catalog_cache
from pipeline.gates import ConditionStatus, current_stage_statuses
from pipeline.hooks import returned_paperwork
from pipeline.models import (
    BuyingCenterMember,
    CustomerStageObservation,
    Project,
    ProjectMember,
    StageChange,
    StageDefinition,
    Task,
)

if TYPE_CHECKING:
    from accounts.models import User


BOARD_CARDS_PER_COLUMN = 12  # the rest are one click away in the project list
# What a card shows and its gate reads: a hundred customers' and owners' full rows cost twice the query.
CARD_FIELDS = (
    *("name", "amount_cny", "expected_close_date", "status", "stage_entered_at", "win_probability"),
    *("stage_id", "customer_stage_id", "customer_id", "owner_id"),
    *("customer__name", "customer__short_name", "owner__username", "owner__first_name", "owner__last_name"),
)
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=20, decimal_places=2))


@dataclass
class Card:
    project: Project
    statuses: list[ConditionStatus]

    @property
    def unmet(self) -> list[ConditionStatus]:
        return [s for s in self.statuses if not s.met]

    # A board draws ~100 cards with three links each: the URLs are filled in from one reversed pattern.
    @property
    def url(self) -> str:
        return _card_url("pipeline:project-detail", self.project.pk)

    @property
    def move_url(self) -> str:
        return _card_url("pipeline:board-move", self.project.pk)

    @property
    def advance_url(self) -> str:
        return _card_url("pipeline:project-advance", self.project.pk)


def _card_url(name: str, pk: int) -> str:
    return _url_pattern(name, get_script_prefix(), get_urlconf()).replace("/0/", f"/{pk}/", 1)


@functools.lru_cache(maxsize=16)
def _url_pattern(name: str, prefix: str, urlconf: object) -> str:
    return reverse(name, args=[0])


@dataclass
class Column:
    stage: StageDefinition
    cards: list[Card] = field(default_factory=list)
    count: int = 0
    amount: Decimal = Decimal("0")
    weighted: Decimal = Decimal("0")

    @property
    def hidden(self) -> int:
        return self.count - len(self.cards)


def board_columns(*, projects: QuerySet[Project], per_column: int = BOARD_CARDS_PER_COLUMN) -> list[Column]:
    """The funnel board: one column per stage, totals over every matching open project, the first cards of each.

    Four queries whatever the number of projects: stages, totals, cards, and the
    conditions' evaluation (a few more when the catalog uses more condition kinds).
    """
    open_projects = projects.filter(status=Project.Status.OPEN)
    stages = catalog_cache.stages()
    weighted = ExpressionWrapper(F("amount_cny") * F("win_probability") / 100, output_field=DecimalField())
    totals = {
        row["stage_id"]: row
        for row in open_projects.order_by()
        .values("stage_id")
        .annotate(count=Count("pk"), amount=Coalesce(Sum("amount_cny"), ZERO), weighted=Coalesce(Sum(weighted), ZERO))
    }
    cards = list(
        Project.objects.filter(pk__in=_first_cards(open_projects, stages, per_column))
        .select_related("customer", "owner")
        .only(*CARD_FIELDS)
        .order_by("expected_close_date", "pk")
    )
    by_pk = {s.pk: s for s in stages}
    for project in cards:  # both tracks' stages come from the cached catalog, not from a join per card
        project.stage, project.customer_stage = by_pk[project.stage_id], by_pk[project.customer_stage_id]
    statuses = current_stage_statuses(projects=cards)
    columns = {s.pk: Column(stage=s) for s in stages}
    for stage_id, row in totals.items():
        column = columns[stage_id]
        column.count, column.amount = row["count"], row["amount"]
        column.weighted = Decimal(row["weighted"]).quantize(Decimal("0.01"))
    for project in cards:
        columns[project.stage_id].cards.append(Card(project=project, statuses=statuses[project.pk]))
    return [columns[s.pk] for s in stages]


def track_points(*, project: Project) -> tuple[list[SimpleNamespace], list[SimpleNamespace]]:
    """The stage changes and customer-stage observations the tracks are drawn from, in one query.

    Each comes back with just what ``project_tracks`` reads, changes and observations each
    in their own order (when made, when recorded).
    """
    changes = project.stage_changes.order_by().values_list(
        Value("c", output_field=CharField()),
        "pk",
        "kind",
        "from_stage_id",
        "to_stage_id",
        "at",
        Value(None, output_field=DateField()),
    )
    observations = project.customer_stage_observations.order_by().values_list(
        Value("o", output_field=CharField()),
        "pk",
        Value("", output_field=CharField()),
        Value(None, output_field=IntegerField()),
        "stage_id",
        "recorded_at",
        "observed_on",
    )
    points = sorted(changes.union(observations, all=True), key=lambda r: (r[5], r[1]))
    return (
        [SimpleNamespace(kind=r[2], from_stage_id=r[3], to_stage_id=r[4], at=r[5]) for r in points if r[0] == "c"],
        [SimpleNamespace(stage_id=r[4], observed_on=r[6]) for r in points if r[0] == "o"],
    )


def _first_cards(
    open_projects: QuerySet[Project], stages: list[StageDefinition], per_column: int
) -> QuerySet[Project, int]:
    """The ids of each column's first ``per_column`` projects by close date.

    PostgreSQL answers one small index scan per stage, joined by UNION ALL; a database that
    cannot order and limit inside a UNION ranks them with a window function instead.
    """
    first = open_projects.order_by("expected_close_date", "pk").values_list("pk", flat=True)
    if connection.features.supports_slicing_ordering_in_compound:
        per_stage = [first.filter(stage_id=s.pk)[:per_column] for s in stages]
        return per_stage[0].union(*per_stage[1:], all=True)
    ranked = open_projects.annotate(
        position=Window(RowNumber(), partition_by=[F("stage_id")], order_by=[F("expected_close_date").asc(), F("pk")])
    )
    return ranked.filter(position__lte=per_column).values_list("pk", flat=True)


@dataclass
class TrackRow:
    stage: StageDefinition
    ours_reached: datetime.datetime | None
    milestone_passed: datetime.datetime | None
    customer_reached: datetime.date | None
    is_current: bool
    is_customer_current: bool


def project_tracks(
    *,
    project: Project,
    changes: Sequence[StageChange | SimpleNamespace],  # what track_points reads: kind, stages, at
    observations: Sequence[CustomerStageObservation | SimpleNamespace],  # stage_id, observed_on
    stages: list[StageDefinition],
) -> list[TrackRow]:
    """Both tracks side by side: when we reached each stage and passed its milestone, when the customer did."""
    number_of = {s.pk: s.number for s in stages}
    reached: dict[int, datetime.datetime] = {}
    passed: dict[int, datetime.datetime] = {}
    for change in changes:
        to_number = number_of[change.to_stage_id]
        reached.setdefault(to_number, change.at)
        if change.kind == StageChange.Kind.CLOSE_WON:
            passed.setdefault(8, change.at)
        if change.kind == StageChange.Kind.ADVANCE and change.from_stage_id:
            for n in range(number_of[change.from_stage_id], to_number):
                passed.setdefault(n, change.at)
    customer_reached: dict[int, datetime.date] = {}
    for observation in observations:
        for n in range(1, number_of[observation.stage_id] + 1):
            customer_reached.setdefault(n, observation.observed_on)
    return [
        TrackRow(
            stage=s,
            ours_reached=reached.get(s.number),
            milestone_passed=passed.get(s.number),
            customer_reached=customer_reached.get(s.number),
            is_current=s.pk == project.stage_id,
            is_customer_current=s.pk == project.customer_stage_id,
        )
        for s in stages
    ]


@dataclass
class TimelineEntry:
    at: datetime.datetime
    kind: str
    label: str
    who: str
    detail: str = ""
    override: str = ""
    unmet: list[str] = field(default_factory=list)


def project_timeline(
    *, changes: list[StageChange], observations: list[CustomerStageObservation]
) -> list[TimelineEntry]:
    entries = [
        TimelineEntry(
            at=c.at,
            kind=c.kind,
            label=f"{c.get_kind_display()}:"
            + (f"{c.from_stage.display_name} → " if c.from_stage and c.from_stage_id != c.to_stage_id else "")
            + c.to_stage.display_name,
            who=c.by.display_name,
            detail=c.reason,
            override=c.override_reason,
            unmet=c.unmet_conditions,
        )
        for c in changes
    ]
    entries += [
        TimelineEntry(
            at=timezone.make_aware(datetime.datetime.combine(o.observed_on, datetime.time(12)))
            if o.recorded_at.date() != o.observed_on
            else o.recorded_at,
            kind="customer",
            label=_("客户阶段:%(stage)s") % {"stage": o.stage.display_customer_stage},
            who=o.by.display_name,
            detail=o.note,
        )
        for o in observations
    ]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def buying_center_list(*, project: Project) -> list[BuyingCenterMember]:
    return list(project.buying_center.select_related("contact").order_by("contact__name"))


@dataclass
class MyDay:
    overdue: list[Task]
    due: list[Task]
    waiting: list[tuple[Project, list[ConditionStatus]]]
    team_overdue: list[Task]
    returned: list[dict]


def my_day(*, user: User, horizon_days: int = 7) -> MyDay:
    """A rep's day: overdue and coming tasks, projects waiting on a condition; a manager also sees the team's overdue."""
    today = timezone.localdate()
    # Overdue and coming tasks, the first 50 of each, in one query.
    late = Case(When(due_date__lt=today, then=Value(True)), default=Value(False), output_field=BooleanField())
    tasks = list(
        Task.objects.open()
        .filter(owner=user, due_date__lte=today + datetime.timedelta(days=horizon_days))
        .select_related("project", "customer")
        .annotate(late=late, place=Window(RowNumber(), partition_by=[late], order_by=[F("due_date"), F("pk")]))
        .filter(place__lte=50)
        .order_by("due_date", "pk")
    )
    overdue = [t for t in tasks if t.late]
    due = [t for t in tasks if not t.late]
    projects = list(
        Project.objects.open()
        # a semi-join on the user's memberships, not a join made DISTINCT (34 ms -> 9 ms at 2,000 memberships)
        .filter(Q(owner=user) | Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id")))
        .select_related("customer", "stage", "customer_stage")
        .order_by("expected_close_date")[:50]
    )
    statuses = current_stage_statuses(projects=projects)
    waiting = [(p, [s for s in statuses[p.pk] if not s.met]) for p in projects]
    waiting = [(p, unmet) for p, unmet in waiting if unmet]
    team_overdue: list[Task] = []
    if user.is_manager or user.sees_everything:
        team_tasks = Task.objects.overdue(today).exclude(owner=user).select_related("owner", "project", "customer")
        if not user.sees_everything:
            team_tasks = team_tasks.filter(team_id=user.team_id)
        team_overdue = list(team_tasks.order_by("due_date", "pk")[:100])
    return MyDay(
        overdue=overdue, due=due, waiting=waiting, team_overdue=team_overdue, returned=returned_paperwork(user=user)
    )


def case_library() -> QuerySet[Project]:
    """Won projects, readable by every rep in the company (销售人员之间共享成功经验)."""
    projects: QuerySet[Project] = Project.objects.won()
    return projects.select_related("customer", "owner", "team").order_by("-closed_at")
