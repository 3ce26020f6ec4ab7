"""What is on a person's calendar, from one place for the in-app agenda and the iCalendar feed: their
open tasks by due date (promises among them), the next visits they agreed on F05 (with the time and
place), and the expected signing dates of their open projects."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from forms_toolkit.models import VisitReport
from pipeline.models import Project, ProjectMember, Task

if TYPE_CHECKING:
    from accounts.models import User


@dataclass
class Item:
    uid: str
    kind: str  # "task", "promise", "visit", "signing"
    title: str
    day: datetime.date
    url: str
    start: datetime.datetime | None = None  # a visit's agreed time; the others last the day
    location: str = ""
    description: str = ""
    done: bool = False
    overdue: bool = False

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])


KIND_LABELS = {"task": _l("任务"), "promise": _l("承诺"), "visit": _l("拜访"), "signing": _l("预计签约")}

NEXT_VISIT = ":next-visit"


def items(*, user: User, start: datetime.date, end: datetime.date) -> list[Item]:
    """Everything from ``start`` to ``end`` (both included), by day and time."""
    today = timezone.localdate()
    out: list[Item] = []
    tasks = list(
        Task.objects.filter(owner=user, due_date__range=(start, end))
        .select_related("customer", "project")
        .order_by("due_date", "pk")
    )
    visits = _visits(user=user, start=start, end=end)
    for task in tasks:
        if task.source.endswith(NEXT_VISIT) and task.source in visits:
            continue  # shown as the visit itself, at its time and place
        project = task.project
        where = project.name if project is not None else task.customer.name
        out.append(
            Item(
                uid=f"task-{task.pk}",
                kind="promise" if task.kind == Task.Kind.PROMISE else "task",
                title=task.title,
                day=task.due_date,
                url=project.get_absolute_url() if project is not None else task.customer.get_absolute_url(),
                description=where,
                done=task.done_at is not None,
                overdue=task.done_at is None and task.due_date < today,
            )
        )
    out += visits.values()
    projects = (
        Project.objects.open()
        .filter(Q(owner=user) | Q(pk__in=ProjectMember.objects.filter(user=user).values("project_id")))
        .filter(expected_close_date__range=(start, end))
        .select_related("customer")
    )
    out += [
        Item(
            uid=f"signing-{p.pk}",
            kind="signing",
            title=p.name,
            day=p.expected_close_date,
            url=p.get_absolute_url(),
            description=p.customer.name,
            overdue=p.expected_close_date < today,
        )
        for p in projects
    ]
    out.sort(key=lambda i: (i.day, i.start is None, i.start or timezone.now(), i.kind, i.uid))
    return out


def _visits(*, user: User, start: datetime.date, end: datetime.date) -> dict[str, Item]:
    """The next visits agreed on the user's F05 reports, keyed by their task's source (drafts too:
    a visit is planned before the report is handed in)."""
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    finish = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min))
    reports = (
        VisitReport.objects.filter(filled_by=user, next_visit_at__gte=begin, next_visit_at__lt=finish)
        .select_related("customer")
        .order_by("next_visit_at")
    )
    out = {}
    for report in reports:
        at = timezone.localtime(report.next_visit_at)
        source = f"F05:{report.pk}{NEXT_VISIT}"
        out[source] = Item(
            uid=f"visit-{report.pk}",
            kind="visit",
            title=_("拜访 %(who)s") % {"who": report.visitee or report.customer.name},
            day=at.date(),
            start=at,
            location=report.next_visit_place,
            description="\n".join(
                s for s in (report.customer.name, report.next_visit_purpose, report.next_visit_plan) if s
            ),
            url=report.get_absolute_url(),
        )
    return out


@dataclass
class Day:
    day: datetime.date
    items: list[Item] = field(default_factory=list)
    in_month: bool = True

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


def week(*, user: User, anchor: datetime.date) -> list[Day]:
    first = anchor - datetime.timedelta(days=anchor.weekday())
    return _days(user=user, first=first, last=first + datetime.timedelta(days=6), month=None)


def month(*, user: User, anchor: datetime.date) -> list[list[Day]]:
    """The month's weeks, Monday first, with the days of the months around it to fill them."""
    start = anchor.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    first = start - datetime.timedelta(days=start.weekday())
    last = following - datetime.timedelta(days=1)
    last += datetime.timedelta(days=6 - last.weekday())
    days = _days(user=user, first=first, last=last, month=start.month)
    return [days[i : i + 7] for i in range(0, len(days), 7)]


def _days(*, user: User, first: datetime.date, last: datetime.date, month: int | None) -> list[Day]:
    days = {}
    current = first
    while current <= last:
        days[current] = Day(day=current, in_month=month is None or current.month == month)
        current += datetime.timedelta(days=1)
    for item in items(user=user, start=first, end=last):
        days[item.day].items.append(item)
    return list(days.values())
