import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.directory import directory
from accounts.forms import UserChoiceField
from accounts.models import Team
from accounts.selectors import user_assignable_list
from core.filters import OrderingFilter
from core.forms import ListedChoiceField
from core.search import contains
from customers.models import Customer
from pipeline.models import Project, StageDefinition, Task


class UserFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class TeamFilter(django_filters.ModelChoiceFilter):
    field_class = ListedChoiceField  # the teams from the cached directory


class PeopleScopedFilters:
    """The owner and team choices a user may filter by: their team's people, or everyone for directors."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = directory()
        self.filters["owner"].queryset = user_assignable_list(user=user)
        self.filters["owner"].extra["listed"] = people.assignable(user)
        if not user.sees_everything:
            self.filters["team"].queryset = Team.objects.filter(pk=user.team_id)
        self.filters["team"].extra["listed"] = people.teams_for(user)


class BoardFilter(PeopleScopedFilters, django_filters.FilterSet):
    owner = UserFilter(label=_("销售人员"), queryset=None, empty_label=_("全部"))
    team = TeamFilter(label=_("团队"), queryset=Team.objects.all(), empty_label=_("全部"))
    category = django_filters.ChoiceFilter(
        label=_("客户类别"), field_name="customer__category", choices=Customer.Category.choices, empty_label=_("全部")
    )
    close_month = django_filters.CharFilter(
        label=_("预计签约月份"), method="filter_close_month", widget=forms.TextInput(attrs={"type": "month"})
    )

    class Meta:
        model = Project
        fields: list[str] = []

    def filter_close_month(self, queryset, name, value):
        try:
            year, month = (int(part) for part in value.split("-"))
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            return queryset.none()
        return queryset.filter(expected_close_date__year=year, expected_close_date__month=month)


class ProjectFilter(BoardFilter):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("项目名称、编号或客户"), "type": "search"}),
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Project.Status.choices, empty_label=_("全部"))
    stage = django_filters.ModelChoiceFilter(
        label=_("我方阶段"), queryset=StageDefinition.objects.order_by("number"), empty_label=_("全部")
    )
    ordering = OrderingFilter(
        label=_("排序"),
        fields=(
            ("expected_close_date", "expected_close_date"),
            ("amount_cny", "amount_cny"),
            ("created_at", "created_at"),
        ),
        field_labels={
            "expected_close_date": _("预计签约日期"),
            "amount_cny": _("项目金额"),
            "created_at": _("创建时间"),
        },
        empty_label=_("默认"),
    )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            contains(value, "name", "number", via={"customer": (Customer.objects, ("name",))}, number="number")
        )


class TaskFilter(django_filters.FilterSet):
    """The task list: whose, which state, due when; sorted by due date unless asked otherwise."""

    STATES = (("open", _("未完成")), ("overdue", _("已逾期")), ("done", _("已完成")))

    q = django_filters.CharFilter(
        label=_("搜索"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("任务、项目或客户"), "type": "search"}),
    )
    state = django_filters.ChoiceFilter(label=_("状态"), choices=STATES, method="in_state", empty_label=_("全部"))
    kind = django_filters.ChoiceFilter(label=_("任务类型"), choices=Task.Kind.choices, empty_label=_("全部"))
    owner = UserFilter(label=_("负责人"), queryset=None, empty_label=_("全部"))
    due_after = django_filters.DateFilter(
        label=_("到期日从"), field_name="due_date", lookup_expr="gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    due_before = django_filters.DateFilter(
        label=_("到期日至"), field_name="due_date", lookup_expr="lte", widget=forms.DateInput(attrs={"type": "date"})
    )
    ordering = OrderingFilter(
        label=_("排序"),
        fields=(("due_date", "due_date"), ("created_at", "created_at"), ("title", "title")),
        field_labels={"due_date": _("到期日"), "created_at": _("创建时间"), "title": _("任务")},
        empty_label=_("按到期日"),
    )

    class Meta:
        model = Task
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = user_assignable_list(user=user)
        self.filters["owner"].extra["listed"] = directory().assignable(user)

    def search(self, queryset, name, value):
        return queryset.search(value)

    def in_state(self, queryset, name, value):
        if value == "open":
            return queryset.open()
        if value == "overdue":
            return queryset.overdue()
        if value == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset
