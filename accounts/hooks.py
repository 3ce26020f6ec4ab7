"""The home page's extension point (``core.registry``): later apps register in their ``AppConfig.ready()``."""

from collections.abc import Callable

from core.registry import Registry

# (request) -> HTML: panels of the home page (the pipeline's open projects and today's tasks).
home_panel_providers: Registry[Callable] = Registry("accounts.home_panels")


def home_panels(*, request) -> list[str]:
    return [provider(request=request) for provider in home_panel_providers]
