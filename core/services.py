"""Writes shared by every record that carries the paper's audit block."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from core.history import attribute_change
from core.models import AuditBlock, DataExport
from core.versioning import AUDIT_FIELDS, copy_changes, lock_for_edit, save_version

if TYPE_CHECKING:
    from accounts.models import User


def audit_block_register[R: AuditBlock](*, record: R, by: User, reason: str | None = None) -> R:
    """Save a record entered for the first time: what the system knows (登记日期, 录入人, and the
    collector unless named) and who made the change in its history."""
    record.registered_on = timezone.localdate()
    record.entered_by = by
    if record.collected_by_id is None:
        record.collected_by = by
    attribute_change(record, by, reason)
    record.save()
    return record


def audit_block_after_edit(*, record: AuditBlock, by: User, changed: bool) -> None:
    """An edit by someone who may not review takes the review mark away: the reviewed text changed."""
    if changed and record.is_reviewed and not can_review(record=record, user=by):
        record.is_reviewed = False
        record.reviewed_by = None
        record.reviewed_at = None


def can_review(*, record: AuditBlock, user: User) -> bool:
    """审核 is the team manager's action (directors and admins may too)."""
    if user.sees_everything:
        return True
    return bool(user.manages(record.team_id_for_visibility()))


@transaction.atomic
def audit_block_review[R: AuditBlock](*, record: R, by: User) -> R:
    """Mark the record reviewed (审核) by ``by`` and save just that, with ``by`` in its history."""
    record.is_reviewed = True
    record.reviewed_by = by
    record.reviewed_at = timezone.now()
    attribute_change(record, by)
    record.save(update_fields=[*AUDIT_FIELDS, "updated_at"])
    return record


@transaction.atomic
def number_next(*, prefix: str, width: int = 6) -> str:
    """The next readable number for ``prefix`` this year, e.g. ``XM-2026-000123``."""
    from core.models import NumberSequence

    key = f"{prefix}-{timezone.localdate().year}"
    # One statement that creates the year's row or counts on from it, holding the row's lock until
    # the commit (PostgreSQL and SQLite 3.35+ both speak INSERT … ON CONFLICT … RETURNING).
    table, key_column, last = (connection.ops.quote_name(n) for n in (NumberSequence._meta.db_table, "key", "last"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {last}) VALUES (%s, 1) ON CONFLICT ({key_column}) "  # noqa: S608 (our names)
            f"DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}",
            [key],
        )
        (number,) = cursor.fetchone()
    return f"{key}-{number:0{width}d}"


def record_export(*, by: User, page: str, table: str, fmt: str, rows: int) -> DataExport:
    return DataExport.objects.create(by=by, page=page[:200], table=table[:100], format=fmt, rows=rows)


def audit_block_update[R: AuditBlock](
    record: R,
    *,
    by: User,
    changed_fields: list[str],
    expected_version: int | None,
    derive: Callable[[R], Iterable[str]] | None = None,
    reason: str | None = None,
) -> R:
    """An edit of a record with the paper's audit block, under optimistic locking: the fields the
    form changed written onto the locked row (``derive(row)`` names what it sets from them), the
    review mark taken away where the editor may not review. EditConflict when the row moved on."""
    current = lock_for_edit(record, expected_version=expected_version)
    copy_changes(record, current, changed_fields)
    derived = list(derive(current)) if derive else []
    audit_block_after_edit(record=current, by=by, changed=bool(changed_fields))
    attribute_change(current, by, reason)
    save_version(current, fields=[*changed_fields, *derived, *AUDIT_FIELDS])
    return current
