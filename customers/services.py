from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from core.services import audit_block_register, audit_block_review, audit_block_update
from customers.models import Customer

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def customer_create(*, customer: Customer, by: User) -> Customer:
    """Save a new customer; its team is its owner's team, so visibility follows the owner."""
    if customer.owner_id is None:
        customer.owner = by
    customer.team_id = customer.owner.team_id
    return audit_block_register(record=customer, by=by)


@transaction.atomic
def customer_update(
    *, customer: Customer, by: User, changed_fields: list[str], expected_version: int | None = None
) -> Customer:
    """Write the fields the form changed onto the saved row, unless someone saved it since
    ``expected_version`` (EditConflict: nothing is written)."""

    def team_follows_owner(row: Customer) -> list[str]:
        if "owner" not in changed_fields:
            return []
        row.team_id = row.owner.team_id
        return ["team"]

    return audit_block_update(
        customer, by=by, changed_fields=changed_fields, expected_version=expected_version, derive=team_follows_owner
    )


def customer_review(*, customer: Customer, by: User) -> Customer:
    return audit_block_review(record=customer, by=by)
