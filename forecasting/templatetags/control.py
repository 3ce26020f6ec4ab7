from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape as esc
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

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


@register.simple_tag
def table_rows(table) -> str:
    """A dashboard table's body rows, written in Python: the company's team table alone is
    some 600 cells, each a template loop turn and a filter call. Every value is escaped here."""
    rows = []
    for link, row in table.cells():
        cells = []
        for i, (label, kind, value) in enumerate(row):
            text = esc(cell(value, kind))
            inner = f'<a href="{esc(link)}">{text}</a>' if i == 0 and link else text
            css = "" if kind == "text" else "text-end"
            cells.append(f'<td data-label="{esc(label)}" class="{css}">{inner}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        return format_html(
            '<tr><td colspan="{}" class="text-body-secondary">{}</td></tr>', len(table.columns), _("暂无数据。")
        )
    return mark_safe("\n".join(rows))


@register.inclusion_tag("forecasting/includes/chart_rows.html")
def chart_rows(table) -> dict:
    """A dashboard chart's rows of bars (a dozen rows at most: a template is cheap enough here)."""
    return {"table": table}
