"""Places where apps that build on customers add to the customer page without customers importing them."""

from collections.abc import Callable

# (customer, user) -> [{"code", "title", "forms": [{"number", "status", "badge", "url"}], "create_url"}]
customer_paperwork_providers: list[Callable] = []


def customer_paperwork(*, customer, user) -> list[dict]:
    out: list[dict] = []
    for provider in customer_paperwork_providers:
        out.extend(provider(customer=customer, user=user))
    return out
