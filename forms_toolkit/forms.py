"""Forms of the forms toolkit's own pages (the paper forms themselves are built from the registry)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.directory import directory
from core.forms import PaperForm
from forms_toolkit import checkins
from forms_toolkit.models import VisitCheckin
from forms_toolkit.registry import registry

AGES = [("", _("不限")), ("3", _("超过 3 天")), ("7", _("超过 7 天")), ("14", _("超过 14 天")), ("30", _("超过 30 天"))]
ORDERS = [("oldest", _("提交时间从早到晚")), ("newest", _("提交时间从晚到早"))]


class QueueFilterForm(forms.Form):
    """The approval queue's filters: form type, team (directors), who filled it, how long it has waited, order."""

    type = forms.ChoiceField(label=_("表单"), required=False)
    team = forms.ChoiceField(label=_("团队"), required=False)
    rep = forms.ChoiceField(label=_("填写人"), required=False)
    age = forms.ChoiceField(label=_("已等待"), choices=AGES, required=False)
    order = forms.ChoiceField(label=_("排序"), choices=ORDERS, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        people = directory()
        self.fields["type"].choices = [("", _("全部")), *((t.code, f"{t.code} {t.title}") for t in registry.all())]
        if user.sees_everything:
            self.fields["team"].choices = [("", _("全部")), *((str(t.pk), t.name) for t in people.teams)]
        else:
            del self.fields["team"]
        self.fields["rep"].choices = [("", _("全部")), *((str(p.pk), p.display_name) for p in people.assignable(user))]

    def filters(self) -> dict:
        """What the valid fields ask for (an invalid one asks for nothing)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "code": data.get("type") or "",
            "team_id": int(data["team"]) if data.get("team") else None,
            "filled_by_id": int(data["rep"]) if data.get("rep") else None,
            "min_days": int(data["age"]) if data.get("age") else None,
            "newest_first": data.get("order") == "newest",
        }


class VisitReportForm(PaperForm):
    """F05's paper, with the check-in made on arrival (拜访签到) carried in a hidden field and tied to
    the report when it is saved."""

    checkin = forms.ModelChoiceField(queryset=VisitCheckin.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        current = self.instance.checkin if self.instance.checkin_id else None
        self.fields["checkin"].queryset = checkins.attachable(user=user, keep=current)
        self.fields["checkin"].initial = current.pk if current else None
        self.fields["checkin"].error_messages["invalid_choice"] = _(
            "这次签到已过期或属于另一份报告,请重新签到;报告的其他内容已保留。"
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("checkin") is not None:
            self.instance.checkin = cleaned["checkin"]
        return cleaned


class CheckinForm(forms.Form):
    """What the browser reports at a check-in (static/js/checkin.js)."""

    outcome = forms.ChoiceField(choices=VisitCheckin.Outcome.choices)
    latitude = forms.DecimalField(required=False, min_value=-90, max_value=90)
    longitude = forms.DecimalField(required=False, min_value=-180, max_value=180)
    accuracy = forms.FloatField(required=False, min_value=0)
    detail = forms.CharField(required=False, max_length=500)
    photo = forms.FileField(required=False)
