from django.db.models import Q, QuerySet

from accounts.models import User


def user_assignable_list(*, user: User) -> QuerySet[User]:
    """Whom ``user`` may name as owner or collector: their team, or anyone for directors and admins."""
    users = User.objects.filter(is_active=True).select_related("team").order_by("team__name", "username")
    if user.sees_everything:
        return users
    return users.filter(Q(team_id=user.team_id))
