"""The Jinja2 environment for the few templates rendered often enough per request that the Django
template language's cost shows (board cards, form fields and widgets). Autoescaping is on; the
translations are Django's, so a string is translated the same in either kind of template."""

import html

from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, translation
from django.utils.safestring import SafeString
from jinja2 import Environment

from core.templatetags.paper import money


def _escaped(value):
    """A plain string escaped as Django's ``escape`` does (&#x27; and &quot;); anything else (safe strings,
    numbers, dates, lazy translations) is left to the autoescaping. ``html.escape`` is what Django's
    escape calls, without its lazy-string wrapper: a board prints about 1,700 values."""
    return SafeString(html.escape(value)) if type(value) is str else value


def environment(**options) -> Environment:
    options.pop("autoescape", None)
    # Every value printed is escaped as Django escapes it (&#x27; and &quot;, where MarkupSafe writes
    # &#39; and &#34;), so a page reads the same whichever kind of template wrote a part of it.
    options["finalize"] = _escaped
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True, **options)
    # Old-style gettext: ``_("本阶段 %(d)s 天")|format(d=n)``, the form makemessages finds.
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(static=static, url=lambda name, *args: reverse(name, args=args))
    env.filters.update(money=money, date=lambda value, fmt="Y-m-d": formats.date_format(value, fmt) if value else "")
    return env
