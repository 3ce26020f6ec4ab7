from typing import cast

from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.directory import directory
from accounts.forms import UserChoiceField
from accounts.models import User
from core.forms import DateInput, PaperForm, PaperRowFormSet, RowForm
from core.typing import Label
from core.versioning import VersionedForm
from customers.forms import offer_customers
from pipeline.models import BuyingCenterMember, ProcurementStep, Project, ProjectMember, StageDefinition, Task

PROJECT_SECTIONS: list[tuple[Label, list[str]]] = [
    (_("基本信息"), ["customer", "name", "description", "owner"]),
    (_("金额与时间"), ["amount", "currency", "exchange_rate", "expected_close_date"]),
]


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number}. {obj.display_name}({obj.display_milestone})"


class CustomerStageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number}. {obj.display_customer_stage}"


class ProjectForm(VersionedForm, PaperForm):
    sections = PROJECT_SECTIONS

    class Meta:
        model = Project
        fields = [name for _title, names in PROJECT_SECTIONS for name in names]
        widgets = {"expected_close_date": DateInput()}

    def __init__(self, *args, user, customers, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        offer_customers(self.fields["customer"], customers)
        if user.is_rep:
            del self.fields["owner"]
        elif not self.instance.pk:
            self.fields["owner"].initial = user.pk
        if not self.instance.pk:
            self.fields["customer_stage"] = CustomerStageChoiceField(
                label=_("客户目前的采购阶段"),
                queryset=StageDefinition.objects.order_by("number"),
                initial=StageDefinition.objects.filter(number=1).first(),
                help_text=_("您观察到的客户内部采购流程所处阶段。"),
            )
            self.sections = [*PROJECT_SECTIONS, (_("客户采购阶段"), ["customer_stage"])]
        else:
            # Changing the customer of a running project would orphan its buying center and maps.
            self.fields["customer"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("currency") == Project.Currency.CNY and data.get("exchange_rate") not in (None, 1):
            self.add_error("exchange_rate", _("人民币项目的折算汇率应为 1。"))
        close = data.get("expected_close_date")
        if close and not self.instance.pk and close < timezone.localdate():
            self.add_error("expected_close_date", _("新项目的预计签约日期不能早于今天。"))
        return data


class AdvanceForm(forms.Form):
    to_stage = StageChoiceField(label=_("推进到"), queryset=StageDefinition.objects.none())
    override_reason = forms.CharField(
        label=_("越过阶段条件的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("仅销售经理可填写:阶段条件未满足时仍要推进的理由,将被记录并显示。"),
    )

    def __init__(self, *args, project: Project, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        later = StageDefinition.objects.filter(number__gt=project.stage.number).order_by("number")
        cast(forms.ModelChoiceField, self.fields["to_stage"]).queryset = later
        self.fields["to_stage"].initial = later.first()
        if not can_override:  # only the team's manager may move past a closed gate
            del self.fields["override_reason"]


class StepBackForm(forms.Form):
    to_stage = StageChoiceField(label=_("回退到"), queryset=StageDefinition.objects.none())
    reason = forms.CharField(label=_("回退原因"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_stage"]).queryset = StageDefinition.objects.filter(
            number__lt=project.stage.number
        )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("结案结果"),
        choices=[
            (Project.Status.WON, _("赢单")),
            (Project.Status.LOST, _("丢单")),
            (Project.Status.ABANDONED, _("放弃")),
        ],
        widget=forms.RadioSelect,
    )
    lost_reason = forms.ChoiceField(
        label=_("丢单原因"), choices=[("", "—"), *Project.LostReason.choices], required=False
    )
    note = forms.CharField(label=_("结案说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    success_story = forms.CharField(
        label=_("成功经验"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("赢单时填写:这单是怎么赢的,将在案例库中与全公司分享。"),
    )
    override_reason = forms.CharField(
        label=_("越过阶段条件的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}))


class CustomerStageForm(forms.Form):
    stage = CustomerStageChoiceField(label=_("客户采购阶段"), queryset=StageDefinition.objects.order_by("number"))
    observed_on = forms.DateField(label=_("观察日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        label=_("依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("看到了什么:如客户已发布招标公告。"),
    )


class MemberForm(forms.Form):
    user = UserChoiceField(label=_("成员"), queryset=User.objects.filter(is_active=True).select_related("team"))
    role = forms.ChoiceField(label=_("项目角色"), choices=ProjectMember.Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].set_listed(directory().people)


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "kind", "owner", "due_date"]
        widgets = {"due_date": DateInput()}

    def __init__(self, *args, project: Project, people=None, **kwargs):
        """``people``: the project team, when the caller has them at hand (the owner is always one)."""
        super().__init__(*args, **kwargs)
        self.fields["owner"] = UserChoiceField(
            label=_("负责人"),
            queryset=User.objects.filter(
                pk__in=[project.owner_id, *project.members.values_list("user_id", flat=True)]
            ).select_related("team"),
            listed=people,
            initial=project.owner_id,
        )
        self.fields["due_date"].initial = timezone.localdate


class BuyingCenterForm(RowForm):
    class Meta:
        model = BuyingCenterMember
        fields = ["contact", "level", "department", "role", "attitude", "closeness"]


class ProcurementStepForm(RowForm):
    auto_numbered = ("step",)

    class Meta:
        model = ProcurementStep
        fields = ["step", "process", "responsible", "position", "considerations"]
        widgets = {
            "considerations": forms.Textarea(attrs={"rows": 2}),
            "step": forms.NumberInput(attrs={"data-autonumber": "1", "min": "1"}),
        }


BuyingCenterFormSet = inlineformset_factory(
    Project, BuyingCenterMember, form=BuyingCenterForm, formset=PaperRowFormSet, extra=1, can_delete=True
)


class ProcurementStepRows(PaperRowFormSet):
    numbered = "step"


ProcurementStepFormSet = inlineformset_factory(
    Project, ProcurementStep, form=ProcurementStepForm, formset=ProcurementStepRows, extra=1, can_delete=True
)


def customer_contacts(*, project: Project, field: str) -> dict:
    """``form_kwargs`` for a map's rows: only the project customer's contacts may be picked."""
    return {"limit_to": {field: project.customer.contacts.order_by("name")}}
