import datetime
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from forecasting.models import ForecastCategory, SalesTarget
from forecasting.rollups import month_start


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label=_("预测类别"), choices=ForecastCategory.choices)


class CategoryAdjustForm(forms.Form):
    category = forms.ChoiceField(
        label=_("经理调整"), choices=[("", _("撤销调整")), *ForecastCategory.choices], required=False
    )
    note = forms.CharField(label=_("调整说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("category") and not (data.get("note") or "").strip():
            self.add_error("note", _("调整预测类别请写明理由。"))
        return data


class AnomalyActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("acknowledge", _("知悉")), ("resolve", _("解决"))])
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("action") == "resolve" and not (data.get("note") or "").strip():
            self.add_error("note", _("请写明处理结果。"))
        return data


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        value = super().to_python(value)
        return month_start(value) if value else value


class TargetForm(forms.Form):
    """One month's targets: the team's, and one per rep (empty means no target)."""

    month = MonthField(label=_("月份"))
    team_amount = forms.DecimalField(
        label=_("团队目标"), required=False, min_value=Decimal("0"), max_digits=18, decimal_places=2
    )

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.reps = reps
        for rep in reps:
            self.fields[f"rep_{rep.pk}"] = forms.DecimalField(
                label=rep.display_name, required=False, min_value=Decimal("0"), max_digits=18, decimal_places=2
            )

    def rep_fields(self):
        return [self[f"rep_{rep.pk}"] for rep in self.reps]

    def load(self, *, team, month: datetime.date) -> None:
        for target in SalesTarget.objects.filter(team=team, month=month_start(month)):
            name = "team_amount" if target.owner_id is None else f"rep_{target.owner_id}"
            if name in self.fields:
                self.initial[name] = target.amount

    def amounts(self) -> dict:
        data = self.cleaned_data
        return {None: data.get("team_amount"), **{rep.pk: data.get(f"rep_{rep.pk}") for rep in self.reps}}
