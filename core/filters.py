"""What every list's filters share."""

import django_filters
from django.utils.translation import gettext_lazy as _


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's sort choice, its "(descending)" said in the interface's language (it ships no zh-hans)."""

    descending_fmt = _("%s(降序)")
