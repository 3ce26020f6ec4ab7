from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Fieldset, Layout
from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join

from accounts.directory import directory
from accounts.selectors import user_assignable_list


class FastSelect(forms.Select):
    """A select that writes its options in Python.

    Django renders each option through a template include, about 0.3 ms an option: a
    director's 500-person owner filter cost 150 ms a page. Same HTML, written directly.
    """

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in (value if isinstance(value, (list, tuple)) else [value]) if v not in (None, "")}
        chosen = chosen or {""}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if key in chosen else "", label)
                for key, label in ((str("" if v is None else v), label) for v, label in self.choices)
            ),
        )
        final_attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final_attrs), options)


def fast_selects(form: forms.BaseForm) -> None:
    """Give a form's plain selects the FastSelect renderer (same HTML, written directly)."""
    for field in form.fields.values():
        if type(field.widget) is forms.Select:
            field.widget.__class__ = FastSelect


class ListedChoiceField(forms.ModelChoiceField):
    """A model select whose options, given as ``listed`` rows (from a cache), are drawn without a
    query; the queryset still decides what a submitted value may be."""

    widget = FastSelect

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

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class UserChoiceField(ListedChoiceField):
    """Picks a person (``listed``: people from the cached directory)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name}({obj.team or obj.get_role_display()})"


class PaperForm(forms.ModelForm):
    """A ModelForm laid out like its paper: one fieldset per section.

    Subclasses set ``sections`` as (title, [field names]) pairs; fields that pick
    a user are limited to the people the current user may assign.
    """

    sections: list[tuple[str, list[str]]] = []
    user_fields: tuple[str, ...] = ()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        assignable = user_assignable_list(user=user)
        people = directory().assignable(user)
        for name in self.user_fields:
            if name in self.fields:
                old = self.fields[name]
                self.fields[name] = UserChoiceField(
                    queryset=assignable,
                    listed=people,
                    required=old.required,
                    label=old.label,
                    help_text=old.help_text,
                )
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
        fast_selects(self)

    @property
    def helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            *(
                Fieldset(title, Div(*[self._cell(n) for n in names if n in self.fields], css_class="row"))
                for title, names in self.sections
            )
        )
        return helper

    def _cell(self, name: str) -> Div:
        """Two columns on a wide screen, one on a phone; long text always spans the row."""
        wide = isinstance(self.fields[name].widget, forms.Textarea)
        return Div(name, css_class="col-12" if wide else "col-12 col-md-6")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RowForm(forms.ModelForm):
    """A row of a paper table: Bootstrap classes on the widgets, labels left to the table header."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
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
        fast_selects(self)
