"""Three years of closed projects for the demo teams, so win probabilities are learned and calibrated."""

import datetime
from decimal import Decimal

from django.utils import timezone

from bench.generator import buyers_of, history
from customers.models import Customer
from pipeline.models import Project, StageDefinition

HISTORY_PROJECTS = 160


def load_history() -> int:
    if Project.objects.filter(number__contains="-B").exists():
        return 0
    customers = Customer.objects.select_related("owner").prefetch_related("contacts")
    history(buyers=buyers_of(customers), projects=HISTORY_PROJECTS, years=3, seed=2026, closed_only=True)
    return HISTORY_PROJECTS


def load_targets() -> None:
    """Monthly targets for each team and rep, from three months back to three ahead."""
    from accounts.models import Team, User
    from forecasting.models import SalesTarget
    from forecasting.rollups import shift_months

    if SalesTarget.objects.exists():
        return
    this_month = timezone.localdate().replace(day=1)
    rows = []
    for team in Team.objects.all():
        reps = list(User.objects.filter(team=team, role=User.Role.REP))
        for n in range(-3, 4):
            month = shift_months(this_month, n)
            per_rep = Decimal(6_000_000 + 1_000_000 * (n % 3))
            rows.append(SalesTarget(month=month, team=team, owner=None, amount=per_rep * max(len(reps), 1)))
            rows += [SalesTarget(month=month, team=team, owner=rep, amount=per_rep) for rep in reps]
    SalesTarget.objects.bulk_create(rows)


def load_forecast_snapshots(months: int = 6) -> None:
    """What each rep's forecast would have been at the start of the past months, replayed from the history.

    A project counts for a month when it was open at the month's start and expected to sign in it:
    its weighted amount at the stage it was then in; in commit from stage 7 on, in best case at 6.
    """
    from forecasting.models import ForecastSnapshot
    from forecasting.rollups import shift_months

    this_month = timezone.localdate().replace(day=1)
    past = [shift_months(this_month, -n) for n in range(months, 0, -1)]
    if ForecastSnapshot.objects.filter(month__in=past).exists():
        return
    defaults = {s.pk: (s.number, s.default_probability) for s in StageDefinition.objects.all()}
    totals: dict[tuple, dict] = {}
    projects = Project.objects.filter(expected_close_date__gte=past[0], expected_close_date__lt=this_month)
    for project in projects.prefetch_related("stage_changes"):
        month = project.expected_close_date.replace(day=1)
        start = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
        if project.created_at >= start or (project.closed_at and project.closed_at < start):
            continue
        before = [c for c in project.stage_changes.all() if c.at < start]
        if not before:
            continue
        number, probability = defaults[before[-1].to_stage_id]
        entry = totals.setdefault(
            (month, project.owner_id),
            {"team_id": project.team_id, "commit": 0, "best_case": 0, "pipeline": 0, "weighted": 0},
        )
        category = "commit" if number >= 7 else "best_case" if number == 6 else "pipeline"
        entry[category] += project.amount_cny
        entry["weighted"] += project.amount_cny * probability / 100
    ForecastSnapshot.objects.bulk_create(
        [
            ForecastSnapshot(month=month, owner_id=owner, taken_at=timezone.now(), **entry)
            for (month, owner), entry in totals.items()
        ]
    )
