from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def demo_passwords(app_configs, **kwargs):
    """A production database that still lets anyone in as a demo user with the published password."""
    from accounts.models import User
    from demo.data import DEMO_PASSWORD, USERS

    try:
        users = list(User.objects.filter(username__in=[u[0] for u in USERS], is_active=True))
    except DatabaseError:  # not migrated yet: nothing to warn about
        return []
    exposed = sorted(u.username for u in users if u.check_password(DEMO_PASSWORD))
    if not exposed:
        return []
    return [
        Warning(
            f"Demo users still have the demo password: {', '.join(exposed)}.",
            hint="Give them their own passwords or deactivate them in the admin (用户 → 有效).",
            id="demo.W001",
        )
    ]
