"""Reads of customers for pages beyond their own list."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Team, User
from customers.models import Customer


def team_overview_list(*, user: User) -> QuerySet[Team]:
    """Teams the user oversees with their customer counts, for the home page.

    Each count is its own subquery: joining customers and members together multiplied
    the rows (2,500 customers x 12 people a team) before DISTINCT counted them back.
    """

    def counted(rows: QuerySet[Any]) -> Subquery:
        return Subquery(
            rows.filter(team=OuterRef("pk")).order_by().values("team").annotate(n=Count("*")).values("n"),
            output_field=IntegerField(),
        )

    teams = Team.objects.annotate(
        customer_count=Coalesce(counted(Customer.objects.all()), 0),
        unreviewed_count=Coalesce(counted(Customer.objects.filter(is_reviewed=False)), 0),
        member_count=Coalesce(counted(User.objects.all()), 0),
    ).order_by("name")
    if user.sees_everything:
        return teams
    return teams.filter(Q(pk=user.team_id))
