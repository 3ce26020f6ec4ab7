from decimal import Decimal

from django import template
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

register = template.Library()


def field_display(obj: models.Model, name: str) -> str:
    field = obj._meta.get_field(name)
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


@register.filter
def money(value, places=0) -> str:
    """Grouped by thousands with commas whatever the locale: how amounts are written on our paperwork."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.{int(places)}f}"
    except (ArithmeticError, ValueError, TypeError):
        return str(value)


@register.simple_tag
def paper_sections(obj, sections, redacted=()):
    """[(section title, [(label, value, is_redacted)])] for a read-only page laid out like the paper."""
    out = []
    for title, names in sections:
        rows = []
        for name in names:
            label = obj._meta.get_field(name).verbose_name
            if name in redacted:
                rows.append((label, "", True))
            else:
                rows.append((label, field_display(obj, name), False))
        out.append((title, rows))
    return out


@register.simple_tag
def audit_block(record):
    """The paper's audit block as (label, value) rows."""
    meta = record._meta
    return [
        (meta.get_field("registered_on").verbose_name, field_display(record, "registered_on")),
        (meta.get_field("collected_by").verbose_name, field_display(record, "collected_by")),
        (meta.get_field("entered_by").verbose_name, field_display(record, "entered_by")),
        (meta.get_field("reviewed_by").verbose_name, field_display(record, "reviewed_by")),
        (meta.get_field("is_reviewed").verbose_name, record.review_mark_label),
    ]
