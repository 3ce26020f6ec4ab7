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
