"""The home page's extension points (``core.registry``): later apps register in their ``AppConfig.ready()``."""

from collections.abc import Callable
from dataclasses import dataclass

from core.registry import Registry
from core.typing import Label


@dataclass(frozen=True)
class HomeCount:
    """A count on the home page's first row: what is the user's (我负责的客户), linking to its list."""

    label: Label
    count: int
    url: str


# (request) -> HomeCount: the first row's counts, in the order the apps registered them.
home_count_providers: Registry[Callable[..., HomeCount]] = Registry("accounts.home_counts")

# (request) -> HTML: the home page's panels, registered as ``register(provider, key=(position, name))``
# and shown by position: the pipeline's open projects and today's tasks (20), the customers' team
# overview, review queue and recent customers (30).
home_panel_providers: Registry[Callable[..., str]] = Registry("accounts.home_panels")


def home_counts(*, request) -> list[HomeCount]:
    return [provider(request=request) for provider in home_count_providers]


def home_panels(*, request) -> list[str]:
    return [provider(request=request) for provider in home_panel_providers.by_key()]
