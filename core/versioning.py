"""Optimistic locking for the records several people edit (customers, contacts, projects; the paper
forms have their own): each save names the version it was opened at; a save over a newer version
writes nothing and shows both sides; a save writes only the fields the form changed, under a row lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db import models

from core.paper import field_display

AUDIT_FIELDS = ("is_reviewed", "reviewed_by", "reviewed_at")


class EditConflict(Exception):
    """Someone saved the record after this user opened it; ``current`` is what they saved."""

    def __init__(self, current: models.Model):
        self.current = current
        super().__init__(str(current.pk))


def lock_for_edit[M: models.Model](record: M, *, expected_version: int | None) -> M:
    """The saved row, locked until the transaction ends; EditConflict when it moved past ``expected_version``."""
    current = type(record)._default_manager.select_for_update().get(pk=record.pk)
    if expected_version is not None and cast(Any, current).version != expected_version:
        raise EditConflict(current)
    return current


def copy_changes(source: models.Model, target: models.Model, names: Iterable[str]) -> None:
    for name in names:
        field = cast(models.Field, type(target)._meta.get_field(name))
        setattr(target, field.attname, getattr(source, field.attname))


def save_version(record: models.Model, *, fields: Iterable[str]) -> None:
    """Save ``fields`` (and the version, and what changes by itself on every save) of a locked row."""
    cast(Any, record).version += 1
    automatic = [f.name for f in record._meta.concrete_fields if getattr(f, "auto_now", False)]
    record.save(update_fields=sorted({*fields, "version", *automatic}))


class VersionedForm(forms.ModelForm):
    """Carries the version the record had when the page was opened, as a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    @property
    def changed_fields(self) -> list[str]:
        return [name for name in self.changed_data if name != "version"]


def conflict_rows(form: forms.ModelForm, current: models.Model, *, hidden=()) -> list[tuple[str, str, str]]:
    """The form's fields (but ``hidden``) where what this user typed differs from what was saved
    meanwhile: (label, theirs, yours), both as the page shows them."""
    rows = []
    for name, field in form.fields.items():
        if name == "version" or name in hidden or name not in form.cleaned_data:
            continue
        model_field = cast(models.Field, type(current)._meta.get_field(name))
        theirs = model_field.value_from_object(current)
        mine = form.cleaned_data[name]
        if hasattr(mine, "pk"):
            mine = mine.pk
        if theirs == mine or (theirs in (None, "") and mine in (None, "")):
            continue
        shown = form.cleaned_data[name]
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            shown = dict(cast(Iterable[tuple[Any, Any]], field.choices)).get(shown, shown)
        rows.append((str(field.label), field_display(current, name), "" if shown in (None, "") else str(shown)))
    return rows


def rebound_on(form_class, request, current, **kwargs):
    """The form again with what the user typed, now over the other user's version: saving it again
    overwrites that version on purpose (the user has seen it)."""
    data = request.POST.copy()
    data["version"] = current.version
    return form_class(data, instance=current, **kwargs)
