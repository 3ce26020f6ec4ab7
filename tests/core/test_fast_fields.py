"""Our Jinja2 field template writes crispy-bootstrap5's markup, field type by field type."""

import re

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.template import Context, Template

from core.forms import DateInput
from core.templatetags import fast_fields


class Everything(forms.Form):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"type": "search", "placeholder": "名称"})
    )
    name = forms.CharField(label="名称", max_length=20, help_text="写全称 <b>不要</b>简称")
    kind = forms.ChoiceField(label="类别", choices=[("", "全部"), ("a", "甲"), ("b", "乙")])
    grouped = forms.ChoiceField(label="分组", required=False, choices=[("", "—"), ("组<", [("x", "X&")])])
    on = forms.DateField(label="日期", widget=DateInput())
    at = forms.DateTimeField(label="时间", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    amount = forms.DecimalField(label="金额", required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    month = forms.CharField(
        label="月份", required=False, widget=forms.TextInput(attrs={"type": "month", "class": "mine"})
    )
    agree = forms.BooleanField(label="同意", required=False)
    pick = forms.MultipleChoiceField(
        label="多选", required=False, choices=[("a", "A")], widget=forms.CheckboxSelectMultiple
    )
    secret = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("q") == "两个错":
            self.add_error("q", "第一个错")
            self.add_error("q", "第二个错")
        return data


BAD = {"q": "两个错", "name": "x" * 30, "kind": "zz", "on": "2026-02-30", "amount": "abc", "note": "<script>"}


def _squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", str(html)))).strip()


def _crispy(make_form, source):
    """The markup with the Python fields, and with crispy's template for all (a fresh form each:
    rendering changes the widgets' classes)."""
    original = fast_fields._crispy_field_template()
    real = Template("{% load crispy_forms_tags %}" + source)
    ours_html = real.render(Context({"form": make_form()}))
    # The same, with every field through crispy's own template.
    saved = fast_fields._written_here
    fast_fields._written_here = lambda field, context: False
    try:
        theirs_html = real.render(Context({"form": make_form()}))
    finally:
        fast_fields._written_here = saved
    assert original is not None
    return _squeeze(ours_html), _squeeze(theirs_html)


@pytest.mark.parametrize("data", [None, BAD], ids=["blank", "with errors"])
def test_each_field_alone_matches_crispy(data):
    for name in Everything.base_fields:
        ours, theirs = _crispy(lambda: Everything(data), f"{{{{ form.{name}|as_crispy_field }}}}")
        assert ours == theirs, name


@pytest.mark.parametrize("data", [None, BAD], ids=["blank", "with errors"])
def test_a_laid_out_form_matches_crispy(data):
    class Laid(Everything):
        @property
        def helper(self):
            helper = FormHelper()
            helper.form_tag = False
            helper.layout = Layout(
                Fieldset("一", Div(Div("q", css_class="col-6"), Div("name", css_class="col-6"), css_class="row")),
                Fieldset("二", *[n for n in Everything.base_fields if n not in ("q", "name")]),
            )
            return helper

    ours, theirs = _crispy(lambda: Laid(data), "{% crispy form %}")
    assert ours == theirs
    if data:
        assert "第二个错" in ours and "is-invalid" in ours and "&lt;script&gt;" in ours


def test_whole_form_filter_matches_crispy():
    ours, theirs = _crispy(lambda: Everything(BAD), "{{ form|crispy }}")
    assert ours == theirs
