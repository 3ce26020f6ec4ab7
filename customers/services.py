from django.db import transaction

from core.services import audit_block_after_edit, audit_block_register, audit_block_review
from customers.models import Customer


@transaction.atomic
def customer_create(*, customer: Customer, by) -> Customer:
    """Save a new customer; its team is its owner's team, so visibility follows the owner."""
    if customer.owner_id is None:
        customer.owner = by
    customer.team_id = customer.owner.team_id
    audit_block_register(record=customer, by=by)
    customer._history_user = by
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, by, changed_fields: list[str]) -> Customer:
    if "owner" in changed_fields:
        customer.team_id = customer.owner.team_id
    audit_block_after_edit(record=customer, by=by, changed=bool(changed_fields))
    customer._history_user = by
    customer.save()
    return customer


def customer_review(*, customer: Customer, by) -> Customer:
    return audit_block_review(record=customer, by=by)
