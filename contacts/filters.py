import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import Contact
from core.search import contains
from customers.models import Customer


class ContactFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("姓名、职位、客户或电话"), "type": "search"}),
    )
    influence = django_filters.ChoiceFilter(label=_("影响力"), choices=Contact.Influence.choices, empty_label=_("全部"))
    relationship_status = django_filters.ChoiceFilter(
        label=_("关系状态"), choices=Contact.RelationshipStatus.choices, empty_label=_("全部")
    )
    rapport = django_filters.ChoiceFilter(label=_("客情状态"), choices=Contact.Rapport.choices, empty_label=_("全部"))

    class Meta:
        model = Contact
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            contains(value, "name", "title", "phone", via={"customer": (Customer.objects, ("name",))})
        )
