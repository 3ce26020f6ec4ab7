from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsToolkitConfig(AppConfig):
    name = "forms_toolkit"
    verbose_name = _("辅助工具")

    def ready(self) -> None:
        from forms_toolkit import checks, conditions  # noqa: F401  (the font check; the form condition kinds)
