from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "contacts"
    verbose_name = _("联系人")

    def ready(self) -> None:
        from accounts.hooks import home_count_providers
        from contacts import customer_page, home_page
        from customers.hooks import customer_panel_providers

        home_count_providers.register(home_page.home_count)
        customer_panel_providers.register(customer_page.customer_contacts, key=(10, "contacts.contacts"))
