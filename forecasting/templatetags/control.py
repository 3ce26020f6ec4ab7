from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
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
    some 600 cells, each a template loop turn and a filter call."""
    rows = []
    for link, row in table.cells():
        cells = []
        for i, (label, kind, value) in enumerate(row):
            text = cell(value, kind)
            inner = format_html('<a href="{}">{}</a>', link, text) if i == 0 and link else conditional_escape(text)
            css = "" if kind == "text" else "text-end"
            cells.append(format_html('<td data-label="{}" class="{}">{}</td>', label, css, inner))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    if not rows:
        return format_html(
            '<tr><td colspan="{}" class="text-body-secondary">{}</td></tr>', len(table.columns), _("暂无数据。")
        )
    return mark_safe("\n".join(rows))  # each cell escaped by format_html above
