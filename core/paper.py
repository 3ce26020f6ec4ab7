"""A record's values laid out like its paper form: the same rows for the page and for the PDF.

An enumeration prints as the paper's tick list (every option, the chosen one ticked); a yes/no
field as one box. Fields the paper gives one label (开始日期及结束日期) share a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from core.registry import Registry
from core.typing import Label


@dataclass
class Tick:
    label: str
    chosen: bool


@dataclass
class PaperRow:
    label: str
    value: str
    hidden: bool = False  # confidential: the reader may not see it
    ticks: list[Tick] | None = None  # the paper's options, when the field is a tick list


def money(value, places=0) -> str:
    """Grouped by thousands with commas whatever the locale: how amounts are written on our paperwork."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.{int(places)}f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


def model_field(model: models.Model | type[models.Model], name: str) -> models.Field:
    """The model's own field ``name`` (never a reverse relation: the paper prints a record's fields)."""
    return cast(models.Field, model._meta.get_field(name))


def field_display(obj: models.Model, name: str) -> str:
    field = model_field(obj, name)
    value = getattr(obj, name)
    if value is None or value == "":
        return ""
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, Decimal):
        unit = getattr(obj, "UNITS", {}).get(name, "")
        return f"{money(value, 2)} {unit}".strip()
    if isinstance(field, models.DateTimeField):
        # Stored in UTC, read where the team works (TIME_ZONE), to the minute like the paper.
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(local, "DATETIME_FORMAT")
    if isinstance(field, models.DateField):
        return date_format(value, "DATE_FORMAT")
    if isinstance(field, models.TimeField):
        return time_format(value, "H:i")
    if isinstance(field, models.ForeignKey):
        return getattr(value, "display_name", str(value))
    return str(value)


def ticks(obj: models.Model, name: str, options=None) -> list[Tick] | None:
    """The paper's tick list for an enumeration (or ``options``: [(value, label)]), a box for yes/no."""
    field = model_field(obj, name)
    if options is None and field.choices:
        options = [(value, label) for value, label in field.flatchoices if value != ""]
    if options is not None:
        current = field.value_from_object(obj)
        return [Tick(label=str(label), chosen=str(value) == str(current)) for value, label in options]
    if isinstance(field, models.BooleanField):
        return [Tick(label=str(field.verbose_name), chosen=bool(getattr(obj, name)))]
    return None


def paper_rows(
    obj: models.Model,
    sections,
    *,
    redacted=(),
    pairs=(),
    tick_lists: bool = False,
    options: dict | None = None,
) -> list[tuple[str, list[PaperRow]]]:
    """[(section title, [row])]: the page shows chosen values, the PDF (``tick_lists``) the paper's tick lists.

    ``pairs``: (label, first, second, joiner) for two fields under one label; ``options``: {field:
    [(value, label)]} for a tick list the field's own choices do not give (F05's eight visit labels).
    """
    options = options or {}
    paired = {first: (label, second, joiner) for label, first, second, joiner in pairs}
    seconds = {second for _label, _first, second, _joiner in pairs}
    out = []
    for title, names in sections:
        rows = []
        for name in names:
            if name in seconds:
                continue
            if name in paired:
                label, second, joiner = paired[name]
                values = [field_display(obj, n) for n in (name, second)]
                rows.append(PaperRow(str(label), f" {joiner} ".join(v or "—" for v in values) if any(values) else ""))
                continue
            label = str(model_field(obj, name).verbose_name)
            if name in redacted:
                rows.append(PaperRow(label, "", hidden=True))
                continue
            row = PaperRow(label, field_display(obj, name))
            if name in options:  # the paper's own word for the chosen option
                chosen = model_field(obj, name).value_from_object(obj)
                row.value = next((str(text) for value, text in options[name] if str(value) == str(chosen)), row.value)
            if tick_lists:
                row.ticks = ticks(obj, name, options.get(name))
            rows.append(row)
        if rows:
            out.append((title, rows))
    return out


def audit_rows(record) -> list[tuple[str, str]]:
    """The paper's audit block as (label, value) rows."""
    meta = record._meta
    return [
        (meta.get_field("registered_on").verbose_name, field_display(record, "registered_on")),
        (meta.get_field("collected_by").verbose_name, field_display(record, "collected_by")),
        (meta.get_field("entered_by").verbose_name, field_display(record, "entered_by")),
        (meta.get_field("reviewed_by").verbose_name, field_display(record, "reviewed_by")),
        (meta.get_field("is_reviewed").verbose_name, record.review_mark_label),
    ]


@dataclass(frozen=True)
class PrintedAs:
    code: str
    title: Label
    url: Callable[[Any], str]  # record -> the PDF's address
    may_print: Callable[[Any, Any], bool] | None = None  # (record, user) -> bool; None: whoever may read the record


# (model, code) -> a paper form the model's records print as. An app that prints a record registers it
# in its ready() (the forms toolkit prints customers as F02, projects as F08 and F09), so the record's
# own app imports nothing.
printed_as: Registry[PrintedAs] = Registry("core.paper.printed_as")


def print_links(*, record: models.Model, user: Any) -> list[tuple[str, str]]:
    return [
        (f"{p.code} {p.title}", p.url(record))
        for (model, _code), p in printed_as.items()
        if model is type(record) and (p.may_print is None or p.may_print(record, user))
    ]
