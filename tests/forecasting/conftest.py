import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone

from pipeline.models import Project, StageChange, StageDefinition

_numbers = itertools.count(1)


def bare_project(
    *,
    owner,
    customer,
    stage: int = 1,
    status: str = "open",
    amount="1000000",
    probability=None,
    close_date=None,
    customer_stage: int | None = None,
    furthest: int | None = None,
    created_at=None,
    closed_at=None,
    entered_at=None,
    **extra,
) -> Project:
    """A project written straight to the table, in whatever state a test needs (no gates, no services)."""
    stages = {s.number: s for s in StageDefinition.objects.all()}
    now = timezone.now()
    amount = Decimal(amount)
    project = Project(
        number=f"T-{next(_numbers):06d}",
        customer=customer,
        name=f"项目{stage}",
        owner=owner,
        team_id=owner.team_id,
        amount=amount,
        amount_cny=amount,
        peak_amount_cny=extra.pop("peak", amount),
        expected_close_date=close_date or timezone.localdate() + datetime.timedelta(days=60),
        stage=stages[stage],
        stage_entered_at=entered_at or now,
        customer_stage=stages[customer_stage or stage],
        customer_stage_observed_on=timezone.localdate(),
        win_probability=(
            Decimal(probability)
            if probability is not None
            else {"won": Decimal(100), "lost": Decimal(0)}.get(status, stages[stage].default_probability)
        ),
        status=status,
        lost_reason="price" if status in ("lost", "abandoned") else "",
        furthest_stage_number=furthest or stage,
        closed_at=closed_at or (now if status != "open" else None),
        last_activity_at=extra.pop("last_activity_at", now),
        **extra,
    )
    project.save()
    if created_at:
        Project.objects.filter(pk=project.pk).update(created_at=created_at)
        project.created_at = created_at
    return project


def stay(project, number: int, *, at, days=None, by, kind="advance", customer_stage=None):
    """A row of stage history: entered stage ``number`` at ``at``, stayed ``days`` (None: still there)."""
    return StageChange.objects.create(
        project=project,
        kind=kind,
        to_stage=StageDefinition.objects.get(number=number),
        by=by,
        at=at,
        left_at=at + datetime.timedelta(days=days) if days is not None else None,
        days=days,
        customer_stage=StageDefinition.objects.get(number=customer_stage) if customer_stage else None,
    )


@pytest.fixture
def bare(rep, customer):
    def make(**kw):
        kw.setdefault("owner", rep)
        kw.setdefault("customer", customer)
        return bare_project(**kw)

    return make
