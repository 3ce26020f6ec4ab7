from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Team, User


def user_assignable_list(*, user: User) -> QuerySet[User]:
    """Whom ``user`` may name as owner or collector: their team, or anyone for directors and admins."""
    users = User.objects.filter(is_active=True).select_related("team").order_by("team__name", "username")
    if user.sees_everything:
        return users
    return users.filter(team_id=user.team_id)


def team_overview_list(*, user: User) -> QuerySet[Team]:
    """Teams the user oversees with their customer counts, for the home page.

    Each count is its own subquery: joining customers and members together multiplied
    the rows (2,500 customers x 12 people a team) before DISTINCT counted them back.
    """
    from customers.models import Customer

    def counted(rows):
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
    return teams.filter(pk=user.team_id)
