from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = _("销售项目")

    def ready(self) -> None:
        from pipeline import gates  # noqa: F401  (registers the built-in condition kinds)
