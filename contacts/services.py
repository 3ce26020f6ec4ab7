from django.db import transaction

from contacts.models import Contact, DecisionMakerProfile
from core.services import audit_block_after_edit, audit_block_register, audit_block_review


@transaction.atomic
def contact_create(*, contact: Contact, by) -> Contact:
    if contact.owner_id is None:
        contact.owner = by
    audit_block_register(record=contact, by=by)
    contact._history_user = by
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by, changed_fields: list[str]) -> Contact:
    audit_block_after_edit(record=contact, by=by, changed=bool(changed_fields))
    contact._history_user = by
    contact.save()
    return contact


def contact_review(*, contact: Contact, by) -> Contact:
    return audit_block_review(record=contact, by=by)


@transaction.atomic
def decision_maker_profile_save(
    *, profile: DecisionMakerProfile, by, changed_fields: list[str]
) -> DecisionMakerProfile:
    """Create or update the F16 profile of a contact."""
    if profile.pk is None:
        profile.filled_by = by
        audit_block_register(record=profile, by=by)
    else:
        audit_block_after_edit(record=profile, by=by, changed=bool(changed_fields))
    profile._history_user = by
    profile.save()
    return profile
