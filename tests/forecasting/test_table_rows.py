"""Dashboard table and chart rows written in Python are the rows the template loops wrote."""

import datetime
import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from forecasting.tables import MONEY, PERCENT, Chart, Column, Table

LOOP = """{% load i18n control %}{% for link, row in table.cells %}<tr>
  {% for label, kind, value in row %}<td data-label="{{ label }}" class="{% if kind != 'text' %}text-end{% endif %}">{% if forloop.first and link %}<a href="{{ link }}">{{ value|cell:kind }}</a>{% else %}{{ value|cell:kind }}{% endif %}</td>{% endfor %}
</tr>{% empty %}<tr><td colspan="{{ table.columns|length }}" class="text-body-secondary">{% translate "暂无数据。" %}</td></tr>{% endfor %}"""


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def test_rows_match_the_template_loop():
    table = Table(
        name="t",
        title="表",
        columns=[Column("团队<b>"), Column("金额", MONEY), Column("完成率", PERCENT)],
        rows=[
            ["华东<script>", Decimal("1234567.5"), Decimal("81.25")],
            ["华北", None, 0],
            ["无链接", Decimal("0"), None],
        ],
        links=["/control/teams/1/?a=1&b=2", "/control/teams/2/"],
    )
    written = {}
    for t in (table, Table(name="e", title="空", columns=[Column("团队")])):
        old = Template(LOOP).render(Context({"table": t}))
        written[t.name] = Template("{% load control %}{% table_rows table %}").render(Context({"table": t}))
        assert _squeeze(old) == _squeeze(written[t.name])
    assert "华东&lt;script&gt;" in written["t"] and "a=1&amp;b=2" in written["t"]
    assert "暂无数据" in written["e"]


CHART_LOOP = """{% load control %}{% for row in table.chart_bars %}
        <div class="chart-row">
          <div class="chart-label small text-truncate" title="{{ row.label }}">{{ row.label }}</div>
          <div class="chart-bars">{% for bar in row.bars %}
            <div class="chart-bar-line"><span class="chart-bar series-{{ bar.series }} bar-{{ bar.width|floatformat:0 }}"></span><span class="chart-value">{{ bar.value|cell:bar.kind }}</span></div>
          {% endfor %}</div>
        </div>
        {% endfor %}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_chart_rows_match_the_template_loop(language):
    table = Table(
        name="t",
        title="表",
        columns=[Column("月份"), Column("金额", MONEY), Column("完成率", PERCENT)],
        rows=[
            [datetime.date(2026, 11, 1), Decimal("1234567.5"), Decimal("81.25")],
            ["华东<script>", None, 0],
            [7, Decimal("0"), Decimal("-3")],
        ],
        chart=Chart(label=0, values=[1, 2]),
    )
    with translation.override(language):
        old = Template(CHART_LOOP).render(Context({"table": table}))
        new = Template("{% load control %}{% chart_rows table %}").render(Context({"table": table}))
    assert _squeeze(old) == _squeeze(new)
    assert "华东&lt;script&gt;" in new and "bar-100" in new and "style=" not in new
    assert Template("{% load control %}{% chart_rows table %}").render(Context({"table": Table("e", "空", [])})) == ""
