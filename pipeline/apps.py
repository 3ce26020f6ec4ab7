from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("销售项目")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from accounts.hooks import home_panel_providers
        from core.history import field_name_sources, name_sources
        from customers.hooks import customer_panel_providers
        from pipeline import catalog_cache, customer_page, home_page
        from pipeline.models import ProjectMember, StageCondition, StageDefinition

        home_panel_providers.register(home_page.home_panel, key=(20, "pipeline.projects_and_tasks"))
        customer_panel_providers.register(customer_page.customer_projects, key=(20, "pipeline.projects"))

        name_sources.register(lambda: {s.pk: str(s) for s in catalog_cache.stages()}, key=StageDefinition)
        customer_stages = lambda: {s.pk: f"{s.number} {s.display_customer_stage}" for s in catalog_cache.stages()}  # noqa: E731
        for field in ("pipeline.project.customer_stage", "pipeline.stagechange.customer_stage"):
            field_name_sources.register(customer_stages, key=field)

        for model in (StageDefinition, StageCondition):
            post_save.connect(catalog_cache.forget, sender=model, dispatch_uid=f"catalog-{model.__name__}-save")
            post_delete.connect(catalog_cache.forget, sender=model, dispatch_uid=f"catalog-{model.__name__}-delete")
        post_save.connect(_membership_changed, sender=ProjectMember, dispatch_uid="elsewhere-save")
        post_delete.connect(_membership_changed, sender=ProjectMember, dispatch_uid="elsewhere-delete")


def _membership_changed(sender, instance, **kwargs) -> None:
    from pipeline.models import forget_projects_elsewhere

    forget_projects_elsewhere([instance.user_id])
