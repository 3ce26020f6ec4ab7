"""The project list as a spreadsheet: both tracks' stages, the money and the dates."""

from django.utils.translation import gettext_lazy as _

from core.exports import Column, model_columns
from pipeline.models import Project


def columns() -> list[Column]:
    return [
        *model_columns(Project, ["number", "name"]),
        Column(_("企业标识/编号"), lambda p: p.customer.code),
        Column(_("客户名称"), lambda p: p.customer.name),
        *model_columns(
            Project,
            [
                "amount",
                "currency",
                "amount_cny",
                "expected_close_date",
                "stage",
                "customer_stage",
                "win_probability",
                "status",
                "lost_reason",
                "owner",
                "team",
                "closed_at",
                "last_activity_at",
            ],
        ),
    ]


def task_columns() -> list[Column]:
    from pipeline.models import Task

    return [
        *model_columns(Task, ["title", "kind", "due_date"]),
        Column(_("状态"), lambda t: _("已完成") if t.done_at else (_("已逾期") if t.is_overdue() else _("未完成"))),
        *model_columns(Task, ["done_at", "owner"]),
        Column(_("项目编号"), lambda t: t.project.number if t.project else ""),
        Column(_("销售项目"), lambda t: t.project.name if t.project else ""),
        Column(_("客户"), lambda t: t.customer.name),
        *model_columns(Task, ["created_at"]),
    ]
