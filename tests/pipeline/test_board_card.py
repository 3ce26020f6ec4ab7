"""Board cards written in Python are the cards the template wrote."""

import re
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from pipeline.models import Project
from pipeline.selectors import board_columns

TEMPLATE = """{% load i18n paper %}{% with p=card.project %}
      <article class="board-card" draggable="true" data-card="{{ p.pk }}" data-stage-id="{{ p.stage_id }}" data-move-url="{{ card.move_url }}">
        <div class="small text-body-secondary">{{ p.customer.short_name|default:p.customer.name }}</div>
        <a class="fw-semibold text-decoration-none" href="{{ card.url }}">{{ p.name }}</a>
        <div>{{ p.amount_cny|money }} · {{ p.expected_close_date|date:"Y-m-d" }}</div>
        <div class="small text-body-secondary">{{ p.owner.display_name }} · {% blocktranslate with d=p.days_in_stage %}本阶段 {{ d }} 天{% endblocktranslate %}</div>
        {% if p.tracks_disagree %}<span class="badge text-bg-warning" title="{% translate '客户采购阶段' %}:{{ p.customer_stage.display_customer_stage }}">{% if p.stage_gap > 0 %}{% blocktranslate with n=p.stage_gap %}领先客户 {{ n }} 阶段{% endblocktranslate %}{% else %}{% blocktranslate with n=p.stage_gap_abs %}落后客户 {{ n }} 阶段{% endblocktranslate %}{% endif %}</span>{% endif %}
        {% if card.unmet %}<ul class="unmet mb-1 ps-3">{% for s in card.unmet %}<li>{{ s.text }}</li>{% endfor %}</ul>{% endif %}
        {% if not column.stage.is_last %}
        <form hx-post="{{ card.move_url }}?{{ query }}" hx-target="#board" hx-swap="outerHTML" method="post" action="{{ card.advance_url }}">{% csrf_token %}
          <button class="btn btn-sm btn-outline-primary mt-1" type="submit" name="next" value="1">{% translate "推进" %} →</button>
        </form>
        {% endif %}
      </article>
      {% endwith %}"""


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("csrf_token", ["tok<en>", None])
def test_cards_match_the_template(make_project, customer, stage, language, csrf_token):
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
    undated = next(card for card in cards if card.project.pk == plain.pk)
    undated.project.expected_close_date = None
    context = {"query": "owner=1&team=<2>", "csrf_token": csrf_token}
    last = SimpleNamespace(stage=SimpleNamespace(is_last=True))
    written = []
    with translation.override(language):
        for column in columns:
            for card in column.cards:
                for shown_in in (column, last):
                    values = context | {"card": card, "column": shown_in}
                    old = Template(TEMPLATE).render(Context(values))
                    new = Template("{% load board %}{% board_card card column %}").render(Context(values))
                    assert _squeeze(old) == _squeeze(new)
                    written.append(new)
    html = "".join(written)
    assert "华工&lt;b&gt;" in html and "&amp; &lt;改造&gt;" in html and "owner=1&amp;team=&lt;2&gt;" in html
    assert any(card.unmet for card in cards) and "unmet" in html
    assert ("领先客户 2 阶段" in html and "落后客户 1 阶段" in html) or language == "en"
