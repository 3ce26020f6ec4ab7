from django.db import transaction

from core.services import audit_block_after_edit, audit_block_register, audit_block_review
from core.versioning import AUDIT_FIELDS, copy_changes, lock_for_edit, save_version
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
def customer_update(
    *, customer: Customer, by, changed_fields: list[str], expected_version: int | None = None
) -> Customer:
    """Write the fields the form changed onto the saved row, unless someone saved it since
    ``expected_version`` (EditConflict: nothing is written)."""
    current = lock_for_edit(customer, expected_version=expected_version)
    copy_changes(customer, current, changed_fields)
    derived = []
    if "owner" in changed_fields:
        current.team_id = current.owner.team_id
        derived.append("team")
    audit_block_after_edit(record=current, by=by, changed=bool(changed_fields))
    current._history_user = by
    save_version(current, fields=[*changed_fields, *derived, *AUDIT_FIELDS])
    return current


def customer_review(*, customer: Customer, by) -> Customer:
    return audit_block_review(record=customer, by=by)
