from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsToolkitConfig(AppConfig):
    name = "forms_toolkit"
    verbose_name = _("辅助工具")

    def ready(self) -> None:
        # the font check; the form condition kinds; the records printed as papers (F02, F03, F16, F08, F09)
        from forms_toolkit import checks, conditions, papers  # noqa: F401
