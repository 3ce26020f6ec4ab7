from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "customers"
    verbose_name = _("客户")

    def ready(self) -> None:
        from accounts.hooks import home_count_providers, home_panel_providers
        from customers import home_page

        home_count_providers.register(home_page.home_count)
        home_panel_providers.register(home_page.home_panel, key=(30, "customers.overview"))
