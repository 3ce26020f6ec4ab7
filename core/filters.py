"""What every list's filters share."""

import django_filters
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's sort choice with its "(descending)" in the interface's language.

    django-filter ships no zh-hans for it, and writes it out when the filter is declared, in
    whichever language the process started with: here it stays lazy, read in each request's.
    """

    descending_fmt = _("%s(降序)")

    def _descending(self, label):
        return lazy(lambda: str(self.descending_fmt) % label, str)()

    def build_choices(self, fields, labels):
        choices = super().build_choices(fields, labels)
        ascending = {param: label for param, label in choices if not param.startswith("-")}
        return [
            (
                param,
                label if not param.startswith("-") or param in labels else self._descending(ascending[param[1:]]),
            )
            for param, label in choices
        ]
