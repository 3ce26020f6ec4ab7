"""The board's cards: one Jinja2 template, escaped, translated, with the move form's CSRF input."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from pipeline.models import Project
from pipeline.selectors import board_columns


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_cards_escape_translate_and_post_with_csrf(make_project, customer, stage, rep, language):
    customer.short_name = "华工<b>"
    customer.save()
    plain = make_project(name="桥式起重机 & <改造>")
    ahead = make_project(name="领先")
    Project.objects.filter(pk=ahead.pk).update(stage=stage(3))
    behind = make_project(name="落后")
    Project.objects.filter(pk=behind.pk).update(stage=stage(1), customer_stage=stage(2))
    columns = board_columns(projects=Project.objects.all())
    cards = [card for column in columns for card in column.cards]
    assert len(cards) == 3
    next(card for card in cards if card.project.pk == plain.pk).project.expected_close_date = None
    tag = Template("{% load board %}{% board_cards column %}")
    with translation.override(language):
        html = "".join(
            tag.render(Context({"column": column, "query": "owner=1&team=<2>", "csrf_token": "tok<en>"}))
            for column in columns
        )
        last = tag.render(Context({"column": SimpleNamespace(stage=SimpleNamespace(is_last=True), cards=cards)}))
    assert html.count('<article class="board-card"') == 3 and html.count('value="tok&lt;en&gt;"') == 3
    assert "华工&lt;b&gt;" in html and "&amp; &lt;改造&gt;" in html and "owner=1&amp;team=&lt;2&gt;" in html
    assert any(card.unmet for card in cards) and '<ul class="unmet' in html
    if language == "zh-hans":
        assert "领先客户 2 阶段" in html and "落后客户 1 阶段" in html and "推进 →" in html and "本阶段 0 天" in html
    else:
        assert "Advance →" in html or "推进" not in html
    assert "<form" not in last and last.count("board-card") == 3
    empty = tag.render(Context({"column": SimpleNamespace(stage=SimpleNamespace(is_last=False), cards=[])}))
    assert "无项目" in empty and "<article" not in empty
