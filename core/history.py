"""The 信息修改记录: who changed which field when, from what to what."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.db import models
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from core.registry import Registry


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


HIDDEN_FIELDS = {"id", "version", "updated_at", "created_at", "awaiting_step"}

# model -> () -> {pk: name}: names an app keeps cached (people, teams, stages), asked before the database.
name_sources: Registry[Callable[[], dict[Any, str]]] = Registry("core.history.name_sources")
# "app_label.model.field" -> () -> {pk: name}: a foreign key whose target is named its own way (a project's
# 客户采购阶段 is the customer's stage of that row, not our stage's name). Asked before name_sources.
field_name_sources: Registry[Callable[[], dict[Any, str]]] = Registry("core.history.field_name_sources")


def _names_key(model_field: models.Field):
    key = f"{model_field.model._meta.label_lower}.{model_field.name}"
    return key if key in field_name_sources else model_field.related_model


def _display(model_field: models.Field, value: Any, related: dict[tuple[type, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return _("是") if value else _("否")
    if isinstance(model_field, models.ForeignKey):
        return related.get((_names_key(model_field), value), f"#{value}")
    if isinstance(value, datetime):
        return date_format(localtime(value), "Y-m-d H:i")
    return str(value)


def _related_names(records, tracked) -> dict[tuple[type, Any], str]:
    """Names for the foreign keys the records mention: one query per related model, users by display name."""
    wanted: dict[Any, tuple[type, set]] = {}
    for f in tracked:
        if isinstance(f, models.ForeignKey):
            ids = {getattr(r, f.attname) for r in records} - {None}
            if ids:
                wanted.setdefault(_names_key(f), (f.related_model, set()))[1].update(ids)
    user_model = get_user_model()
    names: dict[tuple[Any, Any], str] = {}
    for key, (model, ids) in wanted.items():
        source = field_name_sources.get(key) if isinstance(key, str) else name_sources.get(model)
        known = source() if source else {}
        for pk in ids & known.keys():
            names[(key, pk)] = known[pk]
        if missing := ids - known.keys():
            for pk, obj in cast(type[models.Model], model)._default_manager.in_bulk(missing).items():
                names[(key, pk)] = cast(Any, obj).display_name if model is user_model else str(obj)
    return names


def history_entries(
    obj: models.Model, *, limit: int = 50, redacted: frozenset[str] = frozenset()
) -> list[HistoryEntry]:
    """Newest first; one query for the records and one for the names of the users they mention.

    Fields named in ``redacted`` show that they changed, never their values.
    """
    history = cast(Any, obj).history  # django-simple-history's manager
    records = list(history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    kept = {f.attname for f in history.model._meta.concrete_fields}
    tracked = [f for f in obj._meta.concrete_fields if f.attname in kept and f.attname not in HIDDEN_FIELDS]
    related = _related_names(records, tracked)
    action_labels = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
    entries: list[HistoryEntry] = []
    for newer, older in zip(records, [*records[1:], None], strict=False):
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
                        FieldChange(
                            label=str(f.verbose_name), old=_display(f, old, related), new=_display(f, new, related)
                        )
                    )
        if newer.history_type == "~" and not changes:
            continue
        action = action_labels.get(newer.history_type, newer.history_type)
        if getattr(newer, "history_change_reason", None):
            action = f"{action}（{newer.history_change_reason}）"
        entries.append(
            HistoryEntry(
                when=newer.history_date,
                who=newer.history_user.display_name if newer.history_user else _("系统"),
                action=action,
                changes=changes,
            )
        )
    return entries


def row_history_entries(history, *, label: str, limit: int = 50) -> list[HistoryEntry]:
    """The changes to a paper table's rows (``history``: the row model's historical records of one
    form), each as an entry of the form's own 信息修改记录: a row added, changed or removed."""
    records = list(history.select_related("history_user").order_by("history_date", "history_id"))
    if not records:
        return []
    model = records[0].instance_type
    tracked = [
        f
        for f in model._meta.concrete_fields
        if f.attname not in HIDDEN_FIELDS and f.name != "form" and not f.attname.endswith("_ptr_id")
    ]
    related = _related_names(records, tracked)
    actions = {"+": _("新增一行"), "~": _("修改一行"), "-": _("删除一行")}
    last: dict[Any, Any] = {}
    entries: list[HistoryEntry] = []
    for record in records:
        before = last.get(record.id)
        changes = []
        for f in tracked:
            new = getattr(record, f.attname)
            old = getattr(before, f.attname) if before is not None else None
            if record.history_type == "-":
                continue
            if old != new and not (before is None and new in (None, "")):
                changes.append(
                    FieldChange(label=str(f.verbose_name), old=_display(f, old, related), new=_display(f, new, related))
                )
        last[record.id] = record
        if record.history_type == "~" and not changes:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user.display_name if record.history_user else _("系统"),
                action=f"{label}:{actions.get(record.history_type, record.history_type)}",
                changes=changes,
            )
        )
    return entries[::-1][:limit]


def attribute_change(record: models.Model, by: Any, reason: str | None = None) -> None:
    """Name ``by`` as the author of the history row the record's next save writes (django-simple-history
    reads it from ``_history_user``), and why, when there is more to say than the fields (an import)."""
    setattr(record, "_history_user", by)  # noqa: B010 (simple-history's attribute, not declared on the model)
    if reason is not None:
        setattr(record, "_change_reason", reason[:100])  # noqa: B010 (simple-history's too)
