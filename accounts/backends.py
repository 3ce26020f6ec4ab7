from django.contrib.auth.backends import ModelBackend


class TeamAwareModelBackend(ModelBackend):
    """Load the user's team with the user: every page shows it in the menu."""

    def get_user(self, user_id):
        user = self._get_user_with_team(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _get_user_with_team(self, user_id):
        from accounts.models import User

        try:
            return User._default_manager.select_related("team").get(pk=user_id)
        except User.DoesNotExist:
            return None
