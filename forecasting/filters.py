import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from forecasting.models import Anomaly, anomaly_kinds
from pipeline.filters import PeopleScopedFilters, TeamFilter, UserFilter


class AnomalyFilter(PeopleScopedFilters, django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search", help_text=_("项目名称、项目编号或客户名称"))
    status = django_filters.ChoiceFilter(
        label=_("状态"),
        choices=[("active", _("未解决(待处理与已知悉)")), *Anomaly.Status.choices],
        method="filter_status",
        empty_label=_("全部"),
    )
    kind = django_filters.ChoiceFilter(label=_("异常类型"), choices=anomaly_kinds, empty_label=_("全部"))
    severity = django_filters.ChoiceFilter(label=_("严重程度"), choices=Anomaly.Severity.choices, empty_label=_("全部"))
    owner = UserFilter(label=_("负责人"), queryset=None, empty_label=_("全部"))
    team = TeamFilter(label=_("团队"), queryset=Team.objects.all(), empty_label=_("全部"))

    class Meta:
        model = Anomaly
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.active()
        return queryset.filter(status=value)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(project__name__icontains=value) | Q(project__number__icontains=value) | Q(customer__name__icontains=value)
        )
