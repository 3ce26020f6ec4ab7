from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "forecasting"
    verbose_name = _("成交管控")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from forecasting import hooks
        from forecasting.models import DealControlSettings, WinModel
        from forecasting.probability import forget
        from pipeline.hooks import (
            activity_listeners,
            project_change_listeners,
            project_panel_providers,
            projects_imported_listeners,
        )

        project_change_listeners.register(hooks.on_project_change)
        activity_listeners.register(hooks.on_activity_change)
        projects_imported_listeners.register(hooks.on_projects_imported)
        project_panel_providers.register(hooks.project_panel)

        for model in (DealControlSettings, WinModel):
            post_save.connect(forget, sender=model, dispatch_uid=f"model-settings-{model.__name__}-save")
            post_delete.connect(forget, sender=model, dispatch_uid=f"model-settings-{model.__name__}-delete")
