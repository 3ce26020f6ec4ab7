from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账户与团队")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts import directory
        from accounts.forms import limit_people
        from accounts.models import Team, User
        from core.forms import field_choices
        from core.history import name_sources

        name_sources.register(lambda: {p.pk: p.display_name for p in directory.directory().people}, key=User)
        name_sources.register(lambda: {t.pk: str(t) for t in directory.directory().teams}, key=Team)
        field_choices.register(limit_people)

        for model in (Team, User):
            post_save.connect(directory.forget, sender=model, dispatch_uid=f"directory-{model.__name__}-save")
            post_delete.connect(directory.forget, sender=model, dispatch_uid=f"directory-{model.__name__}-delete")
