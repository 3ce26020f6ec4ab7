from django.db.models import Count, Q, QuerySet

from accounts.models import Team, User


def user_assignable_list(*, user: User) -> QuerySet[User]:
    """Whom ``user`` may name as owner or collector: their team, or anyone for directors and admins."""
    users = User.objects.filter(is_active=True).select_related("team").order_by("team__name", "username")
    if user.sees_everything:
        return users
    return users.filter(team_id=user.team_id)


def team_overview_list(*, user: User) -> QuerySet[Team]:
    """Teams the user oversees with their customer counts, for the home page."""
    teams = Team.objects.annotate(
        customer_count=Count("customers", distinct=True),
        unreviewed_count=Count("customers", filter=Q(customers__is_reviewed=False), distinct=True),
        member_count=Count("members", distinct=True),
    ).order_by("name")
    if user.sees_everything:
        return teams
    return teams.filter(pk=user.team_id)
