"""What people do in deal control: set a forecast category, adjust it, set targets, handle anomalies."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from core.history import attribute_change
from forecasting.models import Anomaly, ForecastCategory, ProjectForecast, SalesTarget
from forecasting.rollups import month_start
from forecasting.tasks import project_changed

if TYPE_CHECKING:
    from accounts.models import Team, User
    from pipeline.models import Project


def _effective(forecast: ProjectForecast) -> str:
    return forecast.manager_category or forecast.rep_category or ForecastCategory.PIPELINE


def _forecast_save(forecast: ProjectForecast, *, project: Project, by: User) -> ProjectForecast:
    forecast.category = _effective(forecast)
    attribute_change(forecast, by)
    forecast.save()
    project_changed.delay_on_commit(project.pk, [project.owner_id], None)  # its funnel and forecast rows
    return forecast


def _forecast_for(project: Project) -> ProjectForecast:
    return ProjectForecast.objects.select_for_update().filter(project=project).first() or ProjectForecast(
        project=project
    )


@transaction.atomic
def forecast_category_set(*, project: Project, by: User, category: str) -> ProjectForecast:
    """The rep's call on the project: commit, best case, pipeline or omitted."""
    if category not in ForecastCategory.values:
        raise ValidationError({"category": _("请选择预测类别。")}, code="invalid")
    if not project.is_open:
        raise ValidationError(_("项目已结案,不能再设置预测类别。"), code="closed")
    if not project.is_editable_by(by):
        raise PermissionDenied
    forecast = _forecast_for(project)
    forecast.rep_category, forecast.rep_set_by, forecast.rep_set_at = category, by, timezone.now()
    return _forecast_save(forecast, project=project, by=by)


@transaction.atomic
def forecast_category_adjust(*, project: Project, by: User, category: str, note: str) -> ProjectForecast:
    """A manager's adjustment, with a note; the rep's own call is kept beside it. An empty category withdraws it."""
    if not permissions.acts_for_team(by, team_id=project.team_id):
        raise PermissionDenied(_("只有销售经理可以调整预测类别。"))
    note = (note or "").strip()
    if category and category not in ForecastCategory.values:
        raise ValidationError({"category": _("请选择预测类别。")}, code="invalid")
    if category and not note:
        raise ValidationError({"note": _("调整预测类别请写明理由。")}, code="note_required")
    forecast = _forecast_for(project)
    forecast.manager_category = category
    forecast.manager_note = note if category else ""
    forecast.manager_by, forecast.manager_at = (by, timezone.now()) if category else (None, None)
    return _forecast_save(forecast, project=project, by=by)


@transaction.atomic
def targets_save(*, team: Team, month: datetime.date, amounts: dict, by: User) -> int:
    """Set the month's targets: ``amounts`` maps a rep's id (or None for the team) to an amount or None (no target)."""
    if not permissions.acts_for_team(by, team_id=team.pk):
        raise PermissionDenied(_("只有销售经理可以设置目标。"))
    month = month_start(month)
    written = 0
    for owner_id, amount in amounts.items():
        existing = SalesTarget.objects.filter(month=month, team=team, owner_id=owner_id).first()
        if amount is None:
            if existing:
                existing.delete()
            continue
        if amount < Decimal("0"):
            raise ValidationError(_("目标金额不能为负数。"), code="negative")
        target = existing or SalesTarget(month=month, team=team, owner_id=owner_id)
        target.amount = amount
        attribute_change(target, by)
        target.save()
        written += 1
    return written


def _check_manager(anomaly: Anomaly, by: User) -> None:
    if not permissions.acts_for_team(by, team_id=anomaly.team_id):
        raise PermissionDenied(_("只有销售经理可以处理异常。"))


@transaction.atomic
def anomaly_acknowledge(*, anomaly: Anomaly, by: User, note: str = "") -> Anomaly:
    """The manager has seen it and is on it; it stays on the list until resolved or cleared."""
    _check_manager(anomaly, by)
    if anomaly.status != Anomaly.Status.OPEN:
        raise ValidationError(_("只有待处理的异常可以标记为已知悉。"), code="not_open")
    anomaly.status = Anomaly.Status.ACKNOWLEDGED
    anomaly.acknowledged_by, anomaly.acknowledged_at = by, timezone.now()
    anomaly.acknowledge_note = (note or "").strip()
    anomaly.save(update_fields=["status", "acknowledged_by", "acknowledged_at", "acknowledge_note"])
    return anomaly


@transaction.atomic
def anomaly_resolve(*, anomaly: Anomaly, by: User, note: str) -> Anomaly:
    """Closed by a manager, with what was done about it."""
    _check_manager(anomaly, by)
    if not anomaly.is_active:
        raise ValidationError(_("这个异常已经解决或已自动解除。"), code="not_active")
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请写明处理结果。")}, code="note_required")
    anomaly.status = Anomaly.Status.RESOLVED
    anomaly.resolved_by, anomaly.resolved_at, anomaly.resolve_note = by, timezone.now(), note
    anomaly.save(update_fields=["status", "resolved_by", "resolved_at", "resolve_note"])
    return anomaly
