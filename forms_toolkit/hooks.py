"""The paper forms' extension points (``core.registry``): later apps register in their ``AppConfig.ready()``."""

from collections.abc import Callable

from core.registry import Registry

# (form, form_type, request) -> HTML: sections later apps add to a paper form's page, below its
# signatures (the attachments, among them the printed-and-signed scan).
form_panel_providers: Registry[Callable] = Registry("forms_toolkit.form_panels")


def form_panels(*, form, form_type, request) -> list[str]:
    return [provider(form=form, form_type=form_type, request=request) for provider in form_panel_providers]
