"""The forms list as a spreadsheet (one row per paper form, from the forms' shared table)."""

from django.utils.translation import gettext_lazy as _

from core.exports import Column
from forms_toolkit.models import StageForm
from forms_toolkit.registry import registry

STATUS = dict(StageForm.Status.choices)


def columns() -> list[Column]:
    return [
        Column(_("编号"), lambda r: r["number"]),
        Column(_("表单"), lambda r: f"{r['form_code']} {registry[r['form_code']].title}"),
        Column(_("状态"), lambda r: STATUS[r["status"]]),
        Column(_("日期"), lambda r: r["filled_on"], "date"),
        Column(_("提交时间"), lambda r: r["submitted_at"], "datetime"),
        Column(_("客户"), lambda r: r["customer__name"]),
        Column(_("销售项目"), lambda r: r["project__name"] or ""),
        Column(
            _("填写人"),
            lambda r: f"{r['filled_by__last_name']}{r['filled_by__first_name']}" or r["filled_by__username"],
        ),
    ]
