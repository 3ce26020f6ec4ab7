import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.directory import directory
from accounts.forms import UserChoiceField
from accounts.selectors import user_assignable_list
from core.filters import OrderingFilter
from customers.models import Customer


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("企业名称、简称或编号"), "type": "search"}),
    )
    category = django_filters.ChoiceFilter(
        label=_("客户类别"), choices=Customer.Category.choices, empty_label=_("全部")
    )
    source = django_filters.ChoiceFilter(label=_("客户来源"), choices=Customer.Source.choices, empty_label=_("全部"))
    industry = django_filters.ChoiceFilter(
        label=_("企业所属行业"), choices=Customer.Industry.choices, empty_label=_("全部")
    )
    credit_rating = django_filters.ChoiceFilter(
        label=_("企业资信"), choices=Customer.CreditRating.choices, empty_label=_("全部")
    )
    owner = UserFilter(label=_("负责人"), queryset=None, empty_label=_("全部"))
    is_reviewed = django_filters.BooleanFilter(
        label=_("信息审核标记"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("已审核")), ("false", _("未审核"))]),
    )
    ordering = OrderingFilter(
        label=_("排序"),
        fields=(("name", "name"), ("code", "code"), ("created_at", "created_at"), ("annual_output", "annual_output")),
        field_labels={
            "name": _("企业名称"),
            "code": _("企业标识/编号"),
            "created_at": _("创建时间"),
            "annual_output": _("年产值"),
        },
        empty_label=_("默认"),
    )

    class Meta:
        model = Customer
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = user_assignable_list(user=user)
        self.filters["owner"].extra["listed"] = directory().assignable(user)

    def search(self, queryset, name, value):
        return queryset.search(value)
