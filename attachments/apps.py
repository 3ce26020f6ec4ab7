from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = _("附件")

    def ready(self) -> None:
        from attachments import panels
        from customers.hooks import customer_panel_providers
        from forms_toolkit.hooks import form_panel_providers
        from pipeline.hooks import project_panel_providers

        project_panel_providers.register(panels.project_attachments)
        customer_panel_providers.register(panels.customer_attachments, key=(30, "attachments"))
        form_panel_providers.register(panels.form_attachments)
