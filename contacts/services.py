from django.db import transaction

from contacts.models import Contact, DecisionMakerProfile
from core.services import audit_block_after_edit, audit_block_register, audit_block_review
from core.versioning import AUDIT_FIELDS, copy_changes, lock_for_edit, save_version


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
    current = lock_for_edit(contact, expected_version=expected_version)
    copy_changes(contact, current, changed_fields)
    audit_block_after_edit(record=current, by=by, changed=bool(changed_fields))
    current._history_user = by
    save_version(current, fields=[*changed_fields, *AUDIT_FIELDS])
    return current


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
    current = lock_for_edit(profile, expected_version=expected_version)
    copy_changes(profile, current, changed_fields)
    audit_block_after_edit(record=current, by=by, changed=bool(changed_fields))
    current._history_user = by
    save_version(current, fields=[*changed_fields, *AUDIT_FIELDS])
    return current
