from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import ForeignObjectRel
from django.utils import timezone

from core.history import attribute_change
from core.services import audit_block_register, audit_block_review, audit_block_update
from customers.models import Customer

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def customer_create(*, customer: Customer, by: User, reason: str | None = None) -> Customer:
    """Save a new customer; its team is its owner's team, so visibility follows the owner."""
    if customer.owner_id is None:
        customer.owner = by
    customer.team_id = customer.owner.team_id
    return audit_block_register(record=customer, by=by, reason=reason)


@transaction.atomic
def customers_create_in_bulk(*, customers: list[Customer], by: User, reason: str) -> list[Customer]:
    """Many new customers at once (an import's chunk), each as ``customer_create`` would save it, with
    ``reason`` in every history row."""
    from simple_history.utils import bulk_create_with_history

    from customers.models import name_key

    today = timezone.localdate()
    for customer in customers:
        if customer.owner_id is None:
            customer.owner = by
        customer.team_id = customer.owner.team_id
        customer.registered_on, customer.entered_by = today, by
        if customer.collected_by_id is None:
            customer.collected_by = by
        customer.name_key = name_key(customer.name)
    made: list[Customer] = bulk_create_with_history(
        customers, Customer, batch_size=500, default_user=by, default_change_reason=reason[:100]
    )
    return made


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    by: User,
    changed_fields: list[str],
    expected_version: int | None = None,
    reason: str | None = None,
) -> Customer:
    """Write the fields the form changed onto the saved row, unless someone saved it since
    ``expected_version`` (EditConflict: nothing is written)."""

    def team_follows_owner(row: Customer) -> list[str]:
        if "owner" not in changed_fields:
            return []
        row.team_id = row.owner.team_id
        return ["team"]

    return audit_block_update(
        customer,
        by=by,
        changed_fields=changed_fields,
        expected_version=expected_version,
        derive=team_follows_owner,
        reason=reason,
    )


def customer_review(*, customer: Customer, by: User) -> Customer:
    return audit_block_review(record=customer, by=by)


def may_merge(*, survivor: Customer, merged: Customer | None = None, user: User) -> bool:
    """合并 is a manager's call within their team (directors anywhere): both customers in their scope."""
    if user.sees_everything:
        return True
    teams = {survivor.team_id} | ({merged.team_id} if merged is not None else set())
    return user.is_manager and teams == {user.team_id}


def _merge_fills() -> list[str]:
    """What the survivor takes from the merged customer where it has nothing: the paper's optional
    fields (not its code, owner or audit block)."""
    return [
        f.name
        for f in Customer._meta.concrete_fields
        if f.editable and f.blank and not f.is_relation and f.name not in ("name", "code")
    ]


@transaction.atomic
def customer_merge(*, survivor: Customer, merged: Customer, by: User) -> Customer:
    """One customer entered twice becomes one: everything that points at ``merged`` (contacts,
    projects, forms, files, and the history of all of them and of the customer itself) moves to
    ``survivor``, which takes what it lacked; ``merged`` is deleted. Both histories say so."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.translation import gettext as _

    if survivor.pk == merged.pk:
        raise ValidationError(_("不能把客户合并到它自己。"))
    if not may_merge(survivor=survivor, merged=merged, user=by):
        raise PermissionDenied
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    merged = Customer.objects.select_for_update().get(pk=merged.pk)
    # every reverse relation, those without a related name too (forms, history rows)
    relations = [
        f
        for f in Customer._meta.get_fields(include_hidden=True)
        if isinstance(f, ForeignObjectRel) and (f.one_to_many or f.one_to_one) and f.related_model is not Customer
    ]
    for relation in relations:
        related: Any = relation.related_model
        column = relation.field.attname
        if relation.one_to_one and related._base_manager.filter(**{column: survivor.pk}).exists():
            continue  # the survivor has its own: the merged one's goes with it
        related._base_manager.filter(**{column: merged.pk}).update(**{column: survivor.pk})
    Customer.history.filter(id=merged.pk).update(id=survivor.pk)
    changed = []
    for name in _merge_fills():
        if getattr(survivor, name) in (None, "") and getattr(merged, name) not in (None, ""):
            setattr(survivor, name, getattr(merged, name))
            changed.append(name)
    note = _("合并了客户“%(name)s”(%(code)s)") % {"name": merged.name, "code": merged.code}
    attribute_change(survivor, by, note)
    survivor.version += 1
    survivor.save()
    attribute_change(merged, by, _("合并到客户“%(name)s”(%(code)s)") % {"name": survivor.name, "code": survivor.code})
    merged.delete()
    return survivor
