"""Deal-control pages: dashboards, scorecards, forecast, targets, anomalies, calibration. They read summary tables."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.directory import directory
from accounts.models import Team, User
from accounts.permissions import demand, requires
from accounts.visibility import get_visible_or_404
from core.exports import export_requested, list_export
from core.services import record_export
from core.views import next_or, paginate, query_without_page
from forecasting import exports, selectors, services
from forecasting.filters import AnomalyFilter
from forecasting.forms import AnomalyActionForm, CategoryAdjustForm, CategoryForm, TargetForm
from forecasting.models import Anomaly, FunnelSnapshot
from forecasting.rollups import month_start, months_between, shift_months
from forecasting.selectors import Scope
from forecasting.tables import export_response
from forecasting.tasks import rollup_all
from pipeline import catalog_cache
from pipeline.models import Project

PERIODS = (3, 6, 12)


def _period(request) -> tuple[int, list[datetime.date]]:
    try:
        n = int(request.GET.get("period", 3))
    except ValueError:
        n = 3
    n = n if n in PERIODS else 3
    this_month = month_start(timezone.localdate())
    return n, months_between(shift_months(this_month, 1 - n), this_month)


def _forecast_months() -> list[datetime.date]:
    this_month = month_start(timezone.localdate())
    return months_between(shift_months(this_month, -2), shift_months(this_month, 3))


def _render_or_export(request, template: str, context: dict, tables: list, reads=None):
    """The page, or one of its tables as CSV/Excel when ``?export=<table>&format=csv|xlsx`` asks for it."""
    wanted = request.GET.get("export")
    if wanted:
        for table in tables:
            if table and table.name == wanted:
                fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
                record_export(by=request.user, page=request.path, table=table.name, fmt=fmt, rows=len(table.rows))
                return export_response(table, fmt)
        raise Http404
    context["computed_on"] = (
        reads.computed_on if reads is not None else FunnelSnapshot.objects.aggregate(day=Max("day"))["day"]
    )
    context["export_query"] = query_without_page(request)
    return render(request, template, context)


def dashboard(request):
    """Each role's way in: a rep to their scorecard, a manager to the team, a director to the company."""
    user = request.user
    if user.sees_everything:
        return redirect("forecasting:company")
    if user.is_manager and user.team_id:
        return redirect("forecasting:team", user.team_id)
    return redirect("forecasting:scorecard", user.pk)


@requires(permissions.manages_team, team_id="team_id")
def team_dashboard(request, team_id: int):
    team = directory().team(team_id)
    if team is None:
        raise Http404
    n, months = _period(request)
    stages = catalog_cache.stages()
    scope = Scope(team_ids=(team.pk,))
    reads = selectors.Reads(scope)
    funnel = selectors.funnel_table(reads=reads, stages=stages)
    forecast = selectors.forecast_table(scope=scope, months=_forecast_months(), reads=reads)
    reps = selectors.reps_table(reads=reads, team_id=team.pk, months=months)
    context = {
        "team": team,
        "period": n,
        "periods": PERIODS,
        "funnel": funnel,
        "forecast": forecast,
        "reps": reps,
        "anomalies": selectors.anomalies_active(reads=reads),
    }
    return _render_or_export(request, "forecasting/team_dashboard.html", context, [funnel, forecast, reps], reads)


@requires(permissions.director)
def company(request):
    n, months = _period(request)
    stages = catalog_cache.stages()
    scope = Scope()
    reads = selectors.Reads(scope)
    funnel = selectors.funnel_table(reads=reads, stages=stages)
    conversion = selectors.conversion_table(team_id=None, stages=stages)
    forecast = selectors.forecast_table(scope=scope, months=_forecast_months(), reads=reads)
    teams = selectors.teams_table(reads=reads, months=months)
    context = {
        "period": n,
        "periods": PERIODS,
        "funnel": funnel,
        "conversion": conversion,
        "forecast": forecast,
        "teams": teams,
        "anomalies": selectors.anomalies_active(reads=reads),
    }
    return _render_or_export(request, "forecasting/company.html", context, [funnel, conversion, forecast, teams], reads)


def _rep_for(request, user_id: int) -> User:
    rep = get_object_or_404(User.objects.select_related("team"), pk=user_id)
    demand(permissions.sees_rep, request.user, rep=rep)
    return rep


def scorecard(request, user_id: int):
    """考核销售人员: one rep's work, results and forecasting over the period."""
    rep = _rep_for(request, user_id)
    n, months = _period(request)
    stages = catalog_cache.stages()
    card = selectors.scorecard(rep=rep, months=months)
    reads = selectors.Reads(Scope(owner_id=rep.pk))
    funnel = selectors.funnel_table(reads=reads, stages=stages)
    # Another rep's card is reached from the team or company view: that tab stays lit, not 我的考核.
    active = "scorecard" if rep.pk == request.user.pk else ("company" if request.user.sees_everything else "team")
    context = {"rep": rep, "card": card, "funnel": funnel, "period": n, "periods": PERIODS, "active": active}
    return _render_or_export(
        request, "forecasting/scorecard.html", context, [card.activity, card.accuracy, funnel], reads
    )


def _forecast_scope(request) -> tuple[Scope, str, Team | None]:
    user = request.user
    team_id = request.GET.get("team")
    if user.sees_everything:
        if team_id and team_id.isdigit():
            team = get_object_or_404(Team, pk=team_id)
            return Scope(team_ids=(team.pk,)), team.name, team
        return Scope(), _("全公司"), None
    if user.is_manager and user.team_id:
        return Scope(team_ids=(user.team_id,)), str(user.team), user.team
    return Scope(owner_id=user.pk), user.display_name, None


def forecast(request):
    scope, title, team = _forecast_scope(request)
    this_month = month_start(timezone.localdate())
    months = months_between(shift_months(this_month, -3), shift_months(this_month, 8))
    reads = selectors.Reads(scope) if team else None
    by_month = selectors.forecast_table(scope=scope, months=months, reads=reads)
    by_quarter = selectors.quarter_table(by_month)
    context = {
        "title": title,
        "team": team,
        "teams": selectors.team_choices(request.user) if request.user.sees_everything else [],
        "by_month": by_month,
        "by_quarter": by_quarter,
        "reps": (selectors.reps_table(reads=reads, team_id=team.pk, months=[this_month]) if team else None),
    }
    return _render_or_export(
        request, "forecasting/forecast.html", context, [by_month, by_quarter, context["reps"]], reads
    )


@requires(permissions.manager)
def targets(request):
    """Monthly targets for the team and each rep: a manager's own team, a director's any."""
    user = request.user
    teams = selectors.team_choices(user)
    team_id = request.POST.get("team") or request.GET.get("team") or (user.team_id or (teams[0].pk if teams else None))
    team = next((t for t in teams if str(t.pk) == str(team_id)), None)
    if team is None:
        raise Http404
    reps = list(User.objects.filter(team=team, is_active=True).order_by("role", "username"))
    form = TargetForm(request.POST or None, reps=reps, initial={"month": _month_param(request)})
    if request.method == "POST" and form.is_valid():
        try:
            services.targets_save(team=team, month=form.cleaned_data["month"], amounts=form.amounts(), by=user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("目标已保存。"))
            return redirect(f"{request.path}?team={team.pk}&month={form.cleaned_data['month']:%Y-%m}")
    elif request.method != "POST":
        form.load(team=team, month=form.initial["month"])
    return render(request, "forecasting/targets.html", {"form": form, "team": team, "teams": teams})


def _month_param(request) -> datetime.date:
    value = request.GET.get("month", "")
    try:
        return datetime.date.fromisoformat(f"{value}-01") if len(value) == 7 else month_start(timezone.localdate())
    except ValueError:
        return month_start(timezone.localdate())


def anomaly_list(request):
    anomalies = (
        Anomaly.objects.visible_to(request.user)
        .select_related("project", "customer", "owner")
        .order_by(*selectors.SEVERE_FIRST)
    )
    filterset = AnomalyFilter(request.GET or {"status": "active"}, queryset=anomalies, user=request.user)
    rows = filterset.qs if filterset.is_valid() else anomalies.none()
    if export_requested(request):
        return list_export(request, rows=rows, columns=exports.anomaly_columns(), name="anomalies", title=_("异常情况"))
    page = paginate(request, rows)
    context = {"filter": filterset, "page": page, "query": query_without_page(request)}
    return render(request, "forecasting/anomaly_list.html", context)


def anomaly_detail(request, pk: int):
    anomaly = get_visible_or_404(
        Anomaly.objects.select_related("project", "customer", "owner", "acknowledged_by", "resolved_by"),
        request.user,
        pk=pk,
    )
    can_manage = permissions.acts_for_team(request.user, team_id=anomaly.team_id)
    form = AnomalyActionForm(request.POST or None)
    if request.method == "POST":
        demand(permissions.acts_for_team, request.user, team_id=anomaly.team_id)
        if form.is_valid():
            try:
                if form.cleaned_data["action"] == "acknowledge":
                    services.anomaly_acknowledge(anomaly=anomaly, by=request.user, note=form.cleaned_data["note"])
                    messages.success(request, _("已标记为已知悉。"))
                else:
                    services.anomaly_resolve(anomaly=anomaly, by=request.user, note=form.cleaned_data["note"])
                    messages.success(request, _("异常已解决。"))
            except ValidationError as error:
                _form_errors(form, error)
            else:
                return redirect(next_or(request, anomaly.get_absolute_url()))
    return render(
        request, "forecasting/anomaly_detail.html", {"anomaly": anomaly, "form": form, "can_manage": can_manage}
    )


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@requires(permissions.manager)
def calibration(request):
    context = selectors.calibration()
    return _render_or_export(
        request,
        "forecasting/calibration.html",
        context,
        [context["table"], context["months_table"], context["directions_table"], context["stage_table"]],
    )


@require_POST
def project_category(request, pk: int):
    project = get_visible_or_404(Project.objects.select_related("stage"), request.user, pk=pk)
    adjusting = request.POST.get("adjust") == "1"
    if not adjusting and not project.is_editable_by(request.user):
        raise PermissionDenied  # before the form: a reader is refused, not told what to correct
    form = (CategoryAdjustForm if adjusting else CategoryForm)(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            if adjusting:
                services.forecast_category_adjust(
                    project=project,
                    by=request.user,
                    category=form.cleaned_data["category"],
                    note=form.cleaned_data["note"],
                )
            else:
                services.forecast_category_set(project=project, by=request.user, category=form.cleaned_data["category"])
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("预测类别已保存。"))
            return redirect(f"{project.get_absolute_url()}#section-control")
    else:
        errors = [str(message) for field_errors in form.errors.values() for message in field_errors]
    # Refused: the panel again with what was chosen and written, however long; nothing is lost.
    context = selectors.project_control(
        project=project,
        user=request.user,
        kept={"category": request.POST.get("category", ""), "note": request.POST.get("note", "")},
    )
    context["errors"] = errors
    return render(request, "forecasting/project_category.html", context)


@require_POST
@requires(permissions.manager)
def recompute(request):
    rollup_all.delay()
    messages.success(request, _("已安排重新计算,稍后刷新页面即可看到最新数据。"))
    return redirect(next_or(request, "forecasting:dashboard"))
