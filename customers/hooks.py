"""Places where apps that build on customers add to the customer page without customers importing them."""

from collections.abc import Callable

# (customer, user) -> [{"code", "title", "forms": [{"number", "status", "badge", "url"}], "create_url"}]
customer_paperwork_providers: list[Callable] = []


def customer_paperwork(*, customer, user) -> list[dict]:
    out: list[dict] = []
    for provider in customer_paperwork_providers:
        out.extend(provider(customer=customer, user=user))
    return out


# (customer, request) -> HTML: sections later apps add to the customer page (the pipeline's projects).
customer_panel_providers: list[Callable] = []


def customer_panels(*, customer, request) -> list[str]:
    return [provider(customer=customer, request=request) for provider in customer_panel_providers]
