"""The customer page's extension points (``core.registry``): later apps register in their ``AppConfig.ready()``."""

from collections.abc import Callable

from core.registry import Registry

# (customer, user) -> [{"code", "title", "forms": [{"number", "status", "badge", "url"}], "create_url"}]
customer_paperwork_providers: Registry[Callable] = Registry("customers.paperwork")

# (customer, request) -> HTML: sections later apps add to the customer page, registered as
# ``register(provider, key=(position, name))`` and shown by position: the contacts and their org
# chart (10), the pipeline's projects (20).
customer_panel_providers: Registry[Callable] = Registry("customers.panels")


def customer_paperwork(*, customer, user) -> list[dict]:
    out: list[dict] = []
    for provider in customer_paperwork_providers:
        out.extend(provider(customer=customer, user=user))
    return out


def customer_panels(*, customer, request) -> list[str]:
    return [provider(customer=customer, request=request) for provider in customer_panel_providers.by_key()]
