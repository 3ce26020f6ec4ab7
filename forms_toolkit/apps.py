from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsToolkitConfig(AppConfig):
    name = "forms_toolkit"
    verbose_name = _("辅助工具")

    def ready(self) -> None:
        # the font check; the records printed as papers (F02, F03, F16, F08, F09)
        from django.db.models.signals import post_delete

        from customers.hooks import customer_paperwork_providers
        from forms_toolkit import checks, conditions, papers  # noqa: F401  (checks: the font check registers itself)
        from forms_toolkit.models import FormRecord
        from forms_toolkit.registry import registry
        from pipeline.gates import condition_kinds
        from pipeline.hooks import returned_paperwork_providers, stage_paperwork_providers

        for form_type in registry.all():
            post_delete.connect(FormRecord.forget, sender=form_type.model, dispatch_uid=f"record-{form_type.code}")
        for kind, spec in conditions.KINDS.items():
            condition_kinds.register(spec, key=kind)
        stage_paperwork_providers.register(conditions.paperwork)
        returned_paperwork_providers.register(conditions.returned)
        customer_paperwork_providers.register(conditions.customer_paperwork_entries)
        papers.register_printed()
