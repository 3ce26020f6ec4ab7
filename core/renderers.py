"""Form widgets, fields and the other fragments rendered many times a page, through Jinja2.

Django renders every widget through templates (an input is three: text.html, input.html,
attrs.html); in the Django template language that was about 0.15 ms each, a crispy field about
1 ms, a board card about 1 ms. The same templates in Jinja2 (Django ships its widgets' Jinja2
templates) cost a fraction of that, with autoescaping on and the markup still in templates.
"""

from functools import cached_property

from django.forms.renderers import DjangoTemplates, Jinja2
from django.forms.utils import RenderableMixin
from django.template import TemplateDoesNotExist, engines

_django_templates = DjangoTemplates()  # Django's own form renderer: its widget templates and the apps'


class JinjaTemplates(Jinja2):
    """Django's Jinja2 form renderer on the project's Jinja2 engine (``core.jinja_env``); a widget
    template that exists only for the Django template language (the admin's, auth's) is read there."""

    @cached_property
    def engine(self):
        return engines["jinja2"]

    def get_template(self, template_name):
        try:
            return self.engine.get_template(template_name)
        except TemplateDoesNotExist:
            return _django_templates.get_template(template_name)


_renderer = JinjaTemplates()


class Fragment(RenderableMixin):
    """A Jinja2 template and its context, rendered where it is printed: ``{{ fragment }}`` in any
    template, escaped inside, marked safe once as a whole by Django's own ``RenderableMixin``."""

    renderer = _renderer

    def __init__(self, template_name: str, **context) -> None:
        self.template_name = template_name
        self.context = context

    def get_context(self) -> dict:
        return self.context
