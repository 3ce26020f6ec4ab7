"""The 信息修改记录: who changed which field when, from what to what."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    changes: list[FieldChange] = field(default_factory=list)


HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at"}


def _display(model_field: models.Field, value: Any, users: dict[int, str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(model_field, models.ForeignKey):
        if model_field.related_model == get_user_model():
            return users.get(value, str(value))
        return f"#{value}"
    if isinstance(value, datetime):
        return date_format(localtime(value), "Y-m-d H:i")
    return str(value)


def history_entries(
    obj: models.Model, *, limit: int = 50, redacted: frozenset[str] = frozenset()
) -> list[HistoryEntry]:
    """Newest first; one query for the records and one for the names of the users they mention.

    Fields named in ``redacted`` show that they changed, never their values.
    """
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    tracked = [f for f in obj._meta.concrete_fields if f.attname not in HIDDEN_FIELDS]
    user_model = get_user_model()
    user_ids = {
        getattr(r, f.attname)
        for r in records
        for f in tracked
        if isinstance(f, models.ForeignKey) and f.related_model == user_model and getattr(r, f.attname)
    }
    users = {u.pk: u.display_name for u in user_model.objects.filter(pk__in=user_ids)}
    action_labels = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
    entries = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            for f in tracked:
                old, new = getattr(older, f.attname), getattr(newer, f.attname)
                if old == new:
                    continue
                if f.name in redacted:
                    hidden = _("（受保护）")
                    changes.append(FieldChange(label=str(f.verbose_name), old=hidden, new=hidden))
                else:
                    changes.append(
                        FieldChange(label=str(f.verbose_name), old=_display(f, old, users), new=_display(f, new, users))
                    )
        if newer.history_type == "~" and not changes:
            continue
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=newer.history_user.display_name if newer.history_user else _("系统"),
                action=action_labels.get(newer.history_type, newer.history_type),
                changes=changes,
            )
        )
    return entries
