from django.db import transaction

from contacts.models import Contact, DecisionMakerProfile
from core.services import audit_block_register, audit_block_review, audit_block_update


@transaction.atomic
def contact_create(*, contact: Contact, by) -> Contact:
    if contact.owner_id is None:
        contact.owner = by
    audit_block_register(record=contact, by=by)
    contact._history_user = by
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, by, changed_fields: list[str], expected_version: int | None = None) -> Contact:
    """The fields the form changed, unless someone saved the contact since ``expected_version``."""
    return audit_block_update(contact, by=by, changed_fields=changed_fields, expected_version=expected_version)


def contact_review(*, contact: Contact, by) -> Contact:
    return audit_block_review(record=contact, by=by)


@transaction.atomic
def decision_maker_profile_save(
    *, profile: DecisionMakerProfile, by, changed_fields: list[str], expected_version: int | None = None
) -> DecisionMakerProfile:
    """Create or update the F16 profile of a contact (an update: the changed fields, unless someone
    saved the profile since ``expected_version``)."""
    if profile.pk is None:
        profile.filled_by = by
        audit_block_register(record=profile, by=by)
        profile._history_user = by
        profile.save()
        return profile
    return audit_block_update(profile, by=by, changed_fields=changed_fields, expected_version=expected_version)
