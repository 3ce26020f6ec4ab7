"""A dashboard table is a template whose rendered body is cached by what it shows."""

from decimal import Decimal

from django.core.cache import cache
from django.template.loader import render_to_string

from forecasting.tables import MONEY, PERCENT, Column, Table


def _table(amount="1234567.5"):
    return Table(
        name="t",
        title="表",
        columns=[Column("团队<b>"), Column("金额", MONEY), Column("完成率", PERCENT)],
        rows=[["华东<script>", Decimal(amount), Decimal("81.25")], ["华北", None, 0]],
        links=["/control/teams/1/?a=1&b=2", None],
    )


def render(table):
    return render_to_string("forecasting/includes/table.html", {"table": table, "LANGUAGE_CODE": "zh-hans"})


def test_rows_are_escaped_linked_and_formatted():
    html = render(_table())
    assert "华东&lt;script&gt;" in html and "团队&lt;b&gt;" in html
    assert '<a href="/control/teams/1/?a=1&amp;b=2">华东' in html
    assert "1,234,568" in html and "81.2%" in html and "—" in html
    assert "暂无数据" in render(Table(name="e", title="空", columns=[Column("团队")]))


def test_the_same_numbers_reuse_the_cached_body_and_a_changed_number_renders_anew(monkeypatch):
    cache.clear()
    first = render(_table())
    calls = []
    monkeypatch.setattr(Table, "cells", lambda self: calls.append(1) or iter(()))
    assert render(_table()) == first and calls == []  # served from the cache: the rows were not looped
    changed = render(_table(amount="2"))
    assert calls == [1] and changed != first
