"""The widgets written in Python are the characters Django's widget templates write."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from core.forms import DateInput
from core.renderers import FastWidgets

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
def test_python_and_templates_write_the_same(make, attrs, value):
    widget = make(dict(attrs))
    if isinstance(widget, forms.SelectMultiple):
        value = [value]
    django, ours = DjangoTemplates(), FastWidgets()
    assert widget.render("field", value, renderer=ours) == widget.render("field", value, renderer=django)


def test_other_widgets_still_use_their_templates():
    widget = forms.CheckboxSelectMultiple(choices=[("a", "A")])
    assert widget.render("f", ["a"], renderer=FastWidgets()) == widget.render("f", ["a"], renderer=DjangoTemplates())
    assert "checkbox" in widget.render("f", ["a"], renderer=FastWidgets())
