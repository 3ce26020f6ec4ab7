"""Widgets rendered by our Jinja2 environment are the characters Django's own templates write
(so the environment escapes, formats and includes as the Django template language does)."""

import datetime
import re
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms import DateInput
from core.renderers import JinjaTemplates

VALUES = [
    None,
    "",
    0,
    12,
    Decimal("3.50"),
    "纯文本",
    'a "quoted" <tag> & amp',
    mark_safe("<b>safe</b>"),
    datetime.date(2026, 2, 28),
]
ATTRS = [{}, {"class": "form-control", "required": True, "disabled": False, "placeholder": '说"明"<>'}]
CHOICES = [("", "全部"), ("组", [("a", "甲<"), ("b", "乙")]), (1, "一"), (Decimal("2.5"), "二点五")]


def _squeeze(html) -> str:
    """Markup without the whitespace between tags (the two template languages trim lines differently),
    quotes escaped one way (MarkupSafe writes &#34; and &#39; for Django's &quot; and &#x27;)."""
    html = str(html).replace("&#34;", "&quot;").replace("&#39;", "&#x27;")
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html)))).strip()


WIDGETS = [
    forms.TextInput,
    forms.NumberInput,
    forms.EmailInput,
    forms.URLInput,
    forms.PasswordInput,
    forms.HiddenInput,
    forms.DateInput,
    forms.DateTimeInput,
    forms.TimeInput,
    DateInput,
    forms.Textarea,
    lambda attrs: forms.Select(attrs=attrs, choices=CHOICES),
    lambda attrs: forms.NullBooleanSelect(attrs=attrs),
    lambda attrs: forms.SelectMultiple(attrs=attrs, choices=CHOICES),
]


@pytest.mark.parametrize("make", WIDGETS)
@pytest.mark.parametrize("attrs", ATTRS)
@pytest.mark.parametrize("value", VALUES)
def test_jinja_and_django_templates_write_the_same(make, attrs, value):
    widget = make(dict(attrs))
    if isinstance(widget, forms.SelectMultiple):
        value = [value]
    django, ours = DjangoTemplates(), JinjaTemplates()
    assert _squeeze(widget.render("field", value, renderer=ours)) == _squeeze(
        widget.render("field", value, renderer=django)
    )


def test_choice_widgets_too():
    widget = forms.CheckboxSelectMultiple(choices=[("a", "A")])
    ours = widget.render("f", ["a"], renderer=JinjaTemplates())
    assert _squeeze(ours) == _squeeze(widget.render("f", ["a"], renderer=DjangoTemplates()))
    assert "checkbox" in widget.render("f", ["a"], renderer=JinjaTemplates())
