from django import template
from django.utils.formats import localize, number_format
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


@register.simple_tag
def chart_rows(table) -> str:
    """A dashboard chart's rows of bars, written in Python like the table's rows."""
    rows = []
    for row in table.chart_bars():
        label = esc(localize(row["label"]))  # as {{ }} shows a date or a number
        bars = "".join(
            # a width class, not a style attribute: the Content-Security-Policy allows no inline styles
            f'<div class="chart-bar-line"><span class="chart-bar series-{bar["series"]} bar-{int(bar["width"] + 0.5)}"></span>'
            f'<span class="chart-value">{esc(cell(bar["value"], bar["kind"]))}</span></div>'
            for bar in row["bars"]
        )
        rows.append(
            f'<div class="chart-row"><div class="chart-label small text-truncate" title="{label}">{label}</div>'
            f'<div class="chart-bars">{bars}</div></div>'
        )
    return mark_safe("\n".join(rows))
