"""Places where later apps add to the home page without accounts importing them."""

from collections.abc import Callable

# (request) -> HTML: panels of the home page (the pipeline's open projects and today's tasks).
home_panel_providers: list[Callable] = []


def home_panels(*, request) -> list[str]:
    return [provider(request=request) for provider in home_panel_providers]
