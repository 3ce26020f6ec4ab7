from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from contacts.models import Contact, DecisionMakerProfile
from core.services import audit_block_register, audit_block_review, audit_block_update

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def contact_create(*, contact: Contact, by: User, reason: str | None = None) -> Contact:
    if contact.owner_id is None:
        contact.owner = by
    return audit_block_register(record=contact, by=by, reason=reason)


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    by: User,
    changed_fields: list[str],
    expected_version: int | None = None,
    reason: str | None = None,
) -> Contact:
    """The fields the form changed, unless someone saved the contact since ``expected_version``."""
    return audit_block_update(
        contact, by=by, changed_fields=changed_fields, expected_version=expected_version, reason=reason
    )


def contact_review(*, contact: Contact, by: User) -> Contact:
    return audit_block_review(record=contact, by=by)


@transaction.atomic
def decision_maker_profile_save(
    *, profile: DecisionMakerProfile, by: User, changed_fields: list[str], expected_version: int | None = None
) -> DecisionMakerProfile:
    """Create or update the F16 profile of a contact (an update: the changed fields, unless someone
    saved the profile since ``expected_version``)."""
    if profile.pk is None:
        profile.filled_by = by
        return audit_block_register(record=profile, by=by)
    return audit_block_update(profile, by=by, changed_fields=changed_fields, expected_version=expected_version)
