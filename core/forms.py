from collections.abc import Callable
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout, LayoutObject
from django import forms
from django.forms import BaseInlineFormSet
from django.forms.formsets import (
    INITIAL_FORM_COUNT,
    MAX_NUM_FORM_COUNT,
    MIN_NUM_FORM_COUNT,
    TOTAL_FORM_COUNT,
    ManagementForm,
)
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from core.registry import Registry
from core.typing import Label


class SearchSelect(forms.Select):
    """A model select for a list that may be long (a director's 100,000 customers).

    Up to ``limit`` choices it is a plain select. Beyond that only the chosen option is
    written, and a search box beside it asks ``search_url`` (htmx) for the matching
    options; the field's queryset still decides what a submitted value may be.
    """

    limit = 200
    template_name = "core/widgets/search_select.html"

    def __init__(self, attrs=None, *, search_url, placeholder=""):
        super().__init__(attrs)
        self.search_url = search_url
        self.placeholder = placeholder

    def get_context(self, name, value, attrs):
        field = self.choices.field
        first = list(self.choices.queryset[: self.limit + 1])
        searched = len(first) > self.limit
        if searched:
            chosen = value not in (None, "") and str(value).isdigit()
            first = list(self.choices.queryset.filter(pk=value)) if chosen else []
        blank = [("", field.empty_label)] if field.empty_label is not None else []
        shown = [*blank, *((field.prepare_value(obj), field.label_from_instance(obj)) for obj in first)]
        real, self.choices = self.choices, shown
        try:
            context = super().get_context(name, value, attrs)
        finally:
            self.choices = real
        attrs = context["widget"]["attrs"]
        context["search"] = searched and not attrs.get("disabled")
        context["target"] = attrs.get("id") or f"id_{name}"
        context["search_url"], context["placeholder"] = self.search_url, self.placeholder
        return context


class ListedChoiceField(forms.ModelChoiceField):
    """A model select whose options, given as ``listed`` rows (from a cache), are drawn without a
    query; the queryset still decides what a submitted value may be."""

    widget = forms.Select

    def __init__(self, *args, listed=None, **kwargs):
        self.listed = listed
        super().__init__(*args, **kwargs)

    def set_listed(self, listed) -> None:
        self.listed = listed
        self.widget.choices = self.choices

    def _get_choices(self):
        if self.listed is None:
            return super()._get_choices()
        blank = [("", self.empty_label)] if self.empty_label is not None else []
        return blank + [(obj.pk, self.label_from_instance(obj)) for obj in self.listed]

    choices = property(_get_choices, forms.ChoiceField.choices.fset)  # type: ignore[union-attr]  # stubs type the property as its value


# What a paper form or row offers in its fields to the user filling it: registered by the app that knows
# (accounts: every field that picks a person lists the people the user may assign), called on each form.
field_choices: Registry[Callable[[forms.BaseForm, Any], None]] = Registry("core.forms.field_choices")


def offer_choices(form: forms.BaseForm, user: Any) -> None:
    for narrow in field_choices:
        narrow(form, user)


class FieldPair(LayoutObject):
    """Two inputs under the one label the paper gives them (F25's 实施开始日期及结束日期), side by side."""

    template = "includes/field_pair.html"

    def __init__(self, first: str, second: str, *, label, joiner):
        self.fields = [first, second]
        self.first, self.second, self.label, self.joiner = first, second, label, joiner

    def render(self, form, context, template_pack=None, **kwargs):
        for name in self.fields:
            widget = form.fields[name].widget
            css = widget.attrs.get("class", "")
            if "form-control" not in css:
                widget.attrs["class"] = f"{css} form-control".strip()
            if form[name].errors:
                widget.attrs["class"] += " is-invalid"
        form.fields[self.second].widget.attrs.setdefault("aria-label", str(form.fields[self.second].label))
        return render_to_string(
            self.template,
            {"first": form[self.first], "second": form[self.second], "label": self.label, "joiner": self.joiner},
        )


class PaperForm(forms.ModelForm):
    """A ModelForm laid out like its paper: one fieldset per section.

    Subclasses set ``sections`` as (title, [field names]) pairs; fields that pick
    a user are limited to the people the current user may assign.
    """

    sections: list[tuple[Label, list[str]]] = []
    # (label, first field, second field, joiner): two fields the paper gives one label
    pairs: tuple[tuple[Label, str, str, Label], ...] = ()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "collected_by" in self.fields and self.instance.pk is None and not self.initial.get("collected_by"):
            self.initial["collected_by"] = user.pk  # 信息采集人: whoever registers it, unless told
        offer_choices(self, user)
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            *(Fieldset(title, Div(*self._cells(names), css_class="row")) for title, names in self.sections)
        )
        return helper

    def _cells(self, names: list[str]) -> list[Div]:
        paired = {first: (label, second, joiner) for label, first, second, joiner in self.pairs}
        seconds = {second for _label, _first, second, _joiner in self.pairs}
        cells = []
        for name in names:
            if name not in self.fields or name in seconds:
                continue
            if name in paired:
                label, second, joiner = paired[name]
                cells.append(Div(FieldPair(name, second, label=label, joiner=joiner), css_class="col-12 col-md-6"))
            else:
                cells.append(self._cell(name))
        return cells

    def _cell(self, name: str) -> Div:
        """Two columns on a wide screen, one on a phone; long text always spans the row."""
        wide = isinstance(self.fields[name].widget, forms.Textarea)
        return Div(name, css_class="col-12" if wide else "col-12 col-md-6")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PaperRowFormSet(BaseInlineFormSet):
    """A paper's table: a 序号 column left empty is numbered after the rows above it.

    Row counts that did not come as the page sent them (only a forged post does that) refuse the
    table with one plain message, and the page is sent again with counts that match its rows.
    """

    numbered: str | None = None

    def _bound_management_form(self):
        """The row counts as posted (Django's ``management_form`` until ``full_clean`` replaces it)."""
        if "_bound_management" not in self.__dict__:
            self._bound_management = self.management_form
        return self._bound_management

    def total_form_count(self) -> int:
        if self.is_bound:
            return min(self._bound_management_form().cleaned_data[TOTAL_FORM_COUNT], self.absolute_max)
        return super().total_form_count()

    def initial_form_count(self) -> int:
        if self.is_bound:
            return self._bound_management_form().cleaned_data[INITIAL_FORM_COUNT]
        return super().initial_form_count()

    def full_clean(self):
        super().full_clean()
        if self.is_bound and not self._bound_management_form().is_valid():
            # Django's own message is overwritten by the minimum-rows check: one that says what happened,
            self._non_form_errors = self.error_class(
                [_("此表格的行数据不完整或被改动,未保存。请重新打开本页再填写。")],
                error_class="nonform",
                renderer=self.renderer,
            )
            # and counts that match the rows shown, so that the page can be sent again
            self.__dict__["management_form"] = ManagementForm(
                auto_id=self.auto_id,
                prefix=self.prefix,
                initial={
                    TOTAL_FORM_COUNT: self.total_form_count(),
                    INITIAL_FORM_COUNT: self.initial_form_count(),
                    MIN_NUM_FORM_COUNT: self.min_num,
                    MAX_NUM_FORM_COUNT: self.max_num,
                },
                renderer=self.renderer,
            )

    def clean(self):
        super().clean()
        if not self.numbered or any(self.errors):
            return
        rows = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        last = max((f.cleaned_data.get(self.numbered) or 0 for f in rows), default=0)
        for row in rows:
            if row.cleaned_data.get(self.numbered) is None:
                last += 1
                row.cleaned_data[self.numbered] = last
                setattr(row.instance, self.numbered, last)


class RowForm(forms.ModelForm):
    """A row of a paper table: Bootstrap classes on the widgets, labels left to the table header.

    Formsets pass every row (the empty one the page copies from included) the same
    ``form_kwargs``: ``user``, whose assignable people the person fields offer, and
    ``limit_to``, {field: queryset} for the other choices (a customer's own contacts).
    """

    auto_numbered: tuple[str, ...] = ()  # 序号 columns of this row's own form class (F08's 步骤)

    def __init__(self, *args, user=None, limit_to=None, defaults=None, auto_fields=(), **kwargs):
        super().__init__(*args, **kwargs)
        # What a new row starts with, and the 序号 filled for the user: neither makes an untouched row count.
        auto_fields = {*auto_fields, *self.auto_numbered}
        self.auto_fields = auto_fields | set(defaults or {})
        if self.instance.pk is None:
            for name, value in (defaults or {}).items():
                if self.initial.get(name) in (None, ""):
                    self.initial[name] = value
        for name in auto_fields:
            self.fields[name].required = False
        for name, queryset in (limit_to or {}).items():
            self.fields[name].queryset = queryset
        if user is not None:
            offer_choices(self, user)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.Textarea):
                widget.attrs["rows"] = 2

    def has_changed(self) -> bool:
        return bool(set(self.changed_data) - self.auto_fields)
