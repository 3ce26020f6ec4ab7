"""The anomaly list as a spreadsheet."""

from django.utils.translation import gettext_lazy as _

from core.exports import Column, model_columns
from forecasting.models import Anomaly


def anomaly_columns() -> list[Column]:
    return [
        *model_columns(Anomaly, ["kind", "severity", "status", "project", "customer", "owner", "since", "detected_at"]),
        Column(_("说明"), lambda a: a.explanation),
    ]
