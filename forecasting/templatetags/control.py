from django import template
from django.utils.formats import number_format

from core.templatetags.paper import money

register = template.Library()


@register.filter
def cell(value, kind: str) -> str:
    """A dashboard number as people read it: grouped money, one-decimal percentages, a dash for nothing."""
    if value is None or value == "":
        return "—"
    if kind == "money":
        return money(value)
    if kind == "percent":
        return f"{number_format(value, 1)}%"
    if kind == "days":
        return number_format(value, 1) if not isinstance(value, int) else str(value)
    return str(value)


@register.inclusion_tag("forecasting/includes/chart_rows.html")
def chart_rows(table) -> dict:
    """A dashboard chart's rows of bars (a dozen rows at most: a template is cheap enough here)."""
    return {"table": table}
