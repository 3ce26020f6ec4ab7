from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastingConfig(AppConfig):
    name = "forecasting"
    verbose_name = _("成交管控")

    def ready(self) -> None:
        from forecasting import hooks  # noqa: F401  (listens to project changes, adds to the project page)
