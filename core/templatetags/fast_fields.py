"""crispy-bootstrap5's field markup for the common fields, from a Jinja2 template.

Its template (``bootstrap5/field.html``) cost about 1 ms a field through four nested Django
templates, a tenth of an average page. ``templates/bootstrap5/field.html`` overrides it with
this tag: text inputs, text areas and selects in the default layout render the same markup from
``core/jinja2/bootstrap5/field_group.html``; anything else (checkboxes, radios, files, horizontal
forms, inline help or labels with classes) is handed to crispy's own template.
"""

from django import forms, template
from django.conf import settings
from django.template import engines

from core.renderers import Fragment

register = template.Library()

NAME = "bootstrap5/field.html"
_crispy_template = None


def _crispy_field_template():
    """crispy-bootstrap5's own field template, found past this project's override."""
    global _crispy_template
    if _crispy_template is None:
        engine = engines["django"].engine
        ours = engine.get_template(NAME)
        _crispy_template, _origin = engine.find_template(NAME, skip=[ours.origin])
    return _crispy_template


def _written_here(field, context) -> bool:
    widget = field.field.widget
    return not (
        field.is_hidden
        or isinstance(widget, (forms.CheckboxInput, forms.RadioSelect, forms.FileInput, forms.MultiWidget))
        or isinstance(widget, forms.SelectMultiple)
        or field.use_fieldset
        or context.get("tag")
        or context.get("label_class")
        or context.get("field_class")
        or context.get("help_text_inline")
        or "form-horizontal" in (context.get("form_class") or "")
    )


def _add_classes(widget, extra: str) -> None:
    """What crispy's ``crispy_field`` tag does to the widget: its own class name, then ``extra``."""
    converters = getattr(settings, "CRISPY_CLASS_CONVERTERS", {})
    class_name = widget.__class__.__name__.lower()
    class_name = converters.get(class_name, class_name)
    css = widget.attrs.get("class", "")
    if css:
        if css.find(class_name) == -1:
            css += f" {class_name}"
    else:
        css = class_name
    present = css.split()
    css += "".join(f" {c}" for c in extra.split() if c not in present)
    widget.attrs["class"] = css


@register.simple_tag(takes_context=True)
def field_group(context):
    field = context.get("field")
    if field is None or not _written_here(field, context):
        return _crispy_field_template().render(context)
    show_errors = context.get("form_show_errors") and field.errors
    base = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    _add_classes(field.field.widget, f"{base} is-invalid" if show_errors else base)
    wrapper = "mb-3"
    if context.get("wrapper_class"):
        wrapper += f" {context['wrapper_class']}"
    if field.css_classes():
        wrapper += f" {field.css_classes()}"
    return Fragment(
        "bootstrap5/field_group.html",
        field=field,
        wrapper_class=wrapper,
        required=field.field.required,
        show_label=bool(field.label and context.get("form_show_labels")),
        show_errors=show_errors,
        error_tag="span" if context.get("error_text_inline") else "p",
    )
