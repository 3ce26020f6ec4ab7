"""What the deal-control pages show, read from the summary tables: a few queries whatever the number of projects."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.directory import directory
from accounts.models import Team, User
from forecasting.backtest import MIN_JUDGED
from forecasting.models import (
    Anomaly,
    ForecastCategory,
    ForecastRollup,
    ForecastSnapshot,
    FunnelSnapshot,
    ProjectForecast,
    RepMonth,
    SalesTarget,
    StageStat,
    WinBacktest,
    WinModel,
)
from forecasting.probability import explain, factor_name
from forecasting.rollups import month_start, shift_months
from forecasting.tables import DAYS, INT, MONEY, PERCENT, Chart, Column, Table
from pipeline.models import StageDefinition

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from accounts.models import User
    from pipeline.models import Project


ZERO = Decimal("0")
TARGET_WINDOW = 12  # months either side of this one that Reads.team_targets holds
# "high" sorts before "medium": most severe first, newest first, along the (severity, since) index.
SEVERE_FIRST = ("severity", "-since", "-pk")


@dataclass(frozen=True)
class Scope:
    """Whose numbers: one rep, some teams, or the whole company (``team_ids`` None)."""

    team_ids: tuple[int, ...] | None = None
    owner_id: int | None = None

    def apply(self, queryset: QuerySet[Any, Any], *, team: str = "team_id", owner: str = "owner_id") -> Any:
        if self.owner_id is not None:
            return queryset.filter(**{owner: self.owner_id})
        if self.team_ids is not None:
            return queryset.filter(**{f"{team}__in": self.team_ids})
        return queryset


def _pct(part: int | Decimal, whole: int | Decimal | None) -> Decimal | None:
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1")) if whole else None


def _label_month(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


# Funnel ------------------------------------------------------------------------------------------


def latest_funnel_day() -> Subquery:
    return Subquery(FunnelSnapshot.objects.filter(day__lte=timezone.localdate()).order_by("-day").values("day")[:1])


class Reads:
    """Summary rows a page reads once and all its tables share: the latest funnel and the open-anomaly counts."""

    def __init__(self, scope: Scope):
        self.scope = scope

    @cached_property
    def funnel(self) -> list[dict]:
        rows = self.scope.apply(FunnelSnapshot.objects.filter(day=latest_funnel_day()))
        if self.scope.team_ids is None and self.scope.owner_id is None:
            # The whole company is read by team and stage: 320 rows summed by the database, not 4,000.
            return list(
                rows.order_by()
                .values("day", "team_id", "stage_id")
                .annotate(count=Sum("count"), amount=Sum("amount"), weighted=Sum("weighted"))
            )
        return list(rows.values("day", "team_id", "owner_id", "stage_id", "count", "amount", "weighted"))

    @cached_property
    def anomaly_counts(self) -> list[dict]:
        # The whole company is counted by team (the reps are not shown): at most 120 rows, not 1,300.
        by = (
            ("team_id", "severity")
            if self.scope.team_ids is None and self.scope.owner_id is None
            else ("team_id", "owner_id", "severity")
        )
        return list(self.scope.apply(Anomaly.objects.active()).order_by().values(*by).annotate(n=Count("pk")))

    @cached_property
    def team_targets(self) -> list[dict]:
        """Team targets (not the reps') a year either side of this month: every table's months fall in it."""
        this_month = month_start(timezone.localdate())
        rows = SalesTarget.objects.filter(
            owner__isnull=True,
            month__gte=shift_months(this_month, -TARGET_WINDOW),
            month__lte=shift_months(this_month, TARGET_WINDOW),
        )
        return list(self.scope.apply(rows).order_by().values("month", "team_id").annotate(amount=Sum("amount")))

    def targets_by(self, key: str, months: list[datetime.date]) -> dict:
        wanted, totals = set(months), dict[Any, Decimal]()
        for r in self.team_targets:
            if r["month"] in wanted:
                totals[r[key]] = totals.get(r[key], ZERO) + r["amount"]
        return totals

    def covers(self, months: list[datetime.date]) -> bool:
        this_month = month_start(timezone.localdate())
        window = (shift_months(this_month, -TARGET_WINDOW), shift_months(this_month, TARGET_WINDOW))
        return self.scope.owner_id is None and all(window[0] <= m <= window[1] for m in months)

    @property
    def computed_on(self) -> datetime.date | None:
        return self.funnel[0]["day"] if self.funnel else None

    def funnel_by(self, key: str) -> dict:
        totals: dict = {}
        for r in self.funnel:
            t = totals.setdefault(r[key], {"count": 0, "amount": ZERO, "weighted": ZERO})
            t["count"] += r["count"]
            t["amount"] += r["amount"]
            t["weighted"] += r["weighted"]
        return totals

    def anomalies_by(self, key: str) -> dict:
        totals: dict = defaultdict(int)
        for r in self.anomaly_counts:
            totals[r[key]] += r["n"]
        return totals


def funnel_table(*, reads: Reads, stages: list[StageDefinition]) -> Table:
    rows = reads.funnel_by("stage_id")
    table = Table(
        name="funnel",
        title=_("销售漏斗"),
        columns=[Column(_("阶段")), Column(_("项目数"), INT), Column(_("金额"), MONEY), Column(_("加权金额"), MONEY)],
        chart=Chart(label=0, values=[2, 3]),
    )
    for s in stages:
        r = rows.get(s.pk, {})
        table.rows.append(
            [f"{s.number}. {s.display_name}", r.get("count") or 0, r.get("amount") or ZERO, r.get("weighted") or ZERO]
        )
    table.footer = [
        _("合计"),
        sum(r[1] for r in table.rows),
        sum((r[2] for r in table.rows), ZERO),
        sum((r[3] for r in table.rows), ZERO),
    ]
    return table


def conversion_table(*, team_id: int | None, stages: list[StageDefinition]) -> Table:
    stats = {s.stage_id: s for s in StageStat.objects.filter(Q(team_id=team_id)) if team_id or s.team_id is None}
    table = Table(
        name="conversion",
        title=_("阶段转化与停留天数"),
        columns=[
            Column(_("阶段")),
            Column(_("到达项目数"), INT),
            Column(_("进入下一阶段"), INT),
            Column(_("转化率"), PERCENT),
            Column(_("平均停留天数"), DAYS),
            Column(_("中位停留天数"), DAYS),
        ],
        chart=Chart(label=0, values=[3]),
    )
    for s in stages:
        stat = stats.get(s.pk)
        table.rows.append(
            [
                f"{s.number}. {s.display_name}",
                stat.reached if stat else 0,
                stat.advanced if stat else 0,
                stat.conversion if stat else None,
                stat.average_days if stat else None,
                stat.median_days if stat else None,
            ]
        )
    return table


# Forecast ----------------------------------------------------------------------------------------


def _targets(*, scope: Scope, months: list[datetime.date]) -> dict[datetime.date, Decimal]:
    targets = SalesTarget.objects.filter(month__in=months)
    if scope.owner_id is not None:
        targets = targets.filter(owner_id=scope.owner_id)
    else:
        targets = scope.apply(targets.filter(owner__isnull=True))
    return {r["month"]: r["amount"] for r in targets.order_by().values("month").annotate(amount=Sum("amount"))}


def forecast_table(*, scope: Scope, months: list[datetime.date], reads: Reads | None = None) -> Table:
    """Per close month: won, commit, best case, pipeline, weighted forecast, target and how far along."""
    cells: dict[datetime.date, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for r in (
        scope.apply(ForecastRollup.objects.filter(month__in=months))
        .order_by()
        .values("month", "category")
        .annotate(amount=Sum("amount"), weighted=Sum("weighted"))
    ):
        entry = cells[r["month"]]
        entry[r["category"]] += r["amount"]
        if r["category"] not in (ForecastRollup.WON, ForecastCategory.OMITTED):
            entry["weighted"] += r["weighted"]
    if reads is not None and reads.covers(months):
        targets: Mapping[datetime.date, Decimal | None] = {
            month: reads.targets_by("month", [month]).get(month) for month in months
        }
    else:
        targets = _targets(scope=scope, months=months)
    table = Table(
        name="forecast",
        title=_("销售预测与目标(按预计签约月份)"),
        columns=[
            Column(_("月份")),
            Column(_("已赢单"), MONEY),
            Column(_("承诺"), MONEY),
            Column(_("最佳情况"), MONEY),
            Column(_("管道"), MONEY),
            Column(_("加权预测"), MONEY),
            Column(_("目标"), MONEY),
            Column(_("完成率"), PERCENT),
            Column(_("预计完成率"), PERCENT),
        ],
        chart=Chart(label=0, values=[1, 5, 6]),
    )
    for month in months:
        e = cells[month]
        target = targets.get(month)
        won = e[ForecastRollup.WON]
        table.rows.append(
            [
                _label_month(month),
                won,
                e[ForecastCategory.COMMIT],
                e[ForecastCategory.BEST_CASE],
                e[ForecastCategory.PIPELINE],
                e["weighted"].quantize(Decimal("0.01")),
                target,
                _pct(won, target),
                _pct(won + e["weighted"], target),
            ]
        )
    return table


def quarter_table(months_table: Table) -> Table:
    """The month table summed by quarter (no query)."""
    quarters: dict[str, list] = {}
    for row in months_table.rows:
        year, month = (int(x) for x in row[0].split("-"))
        label = f"{year} Q{(month - 1) // 3 + 1}"
        acc = quarters.setdefault(label, [label, ZERO, ZERO, ZERO, ZERO, ZERO, None])
        for i in range(1, 6):
            acc[i] += row[i]
        if row[6] is not None:
            acc[6] = (acc[6] or ZERO) + row[6]
    table = Table(
        name="forecast-quarters",
        title=_("按季度"),
        columns=months_table.columns,
        chart=Chart(label=0, values=[1, 5, 6]),
    )
    for acc in quarters.values():
        table.rows.append([*acc, _pct(acc[1], acc[6]), _pct(acc[1] + acc[5], acc[6])])
    return table


# People ------------------------------------------------------------------------------------------


def _period_sums(queryset: QuerySet, key: str) -> dict:
    return {
        r[key]: r
        for r in queryset.order_by()
        .values(key)
        .annotate(
            calls=Sum("calls"),
            visits=Sum("visits"),
            visits_checked_in=Sum("visits_checked_in"),
            forms=Sum("forms"),
            won=Sum("won"),
            lost=Sum("lost"),
            won_amount=Sum("won_amount"),
            advances=Sum("advances"),
            ran_ahead=Sum("ran_ahead"),
        )
    }


def reps_table(*, reads: Reads, team_id: int, months: list[datetime.date]) -> Table:
    """The team's reps side by side over the period."""
    scope = Scope(team_ids=(team_id,))
    reps = directory().team_members(team_id)
    funnel = reads.funnel_by("owner_id")
    activity = _period_sums(scope.apply(RepMonth.objects.filter(month__in=months)), "owner_id")
    targets = {
        r["owner_id"]: r["amount"]
        for r in SalesTarget.objects.filter(team_id=team_id, owner__isnull=False, month__in=months)
        .order_by()
        .values("owner_id")
        .annotate(amount=Sum("amount"))
    }
    anomalies = reads.anomalies_by("owner_id")
    table = Table(
        name="reps",
        title=_("销售人员对比"),
        columns=[
            Column(_("销售人员")),
            Column(_("在手项目"), INT),
            Column(_("在手金额"), MONEY),
            Column(_("加权金额"), MONEY),
            Column(_("电话"), INT),
            Column(_("拜访"), INT),
            Column(_("其中签到"), INT),
            Column(_("阶段推进"), INT),
            Column(_("赢单金额"), MONEY),
            Column(_("目标"), MONEY),
            Column(_("完成率"), PERCENT),
            Column(_("赢单率"), PERCENT),
            Column(_("未处理异常"), INT),
        ],
        chart=Chart(label=0, values=[3, 8]),
    )
    for rep in reps:
        f, a = funnel.get(rep.pk, {}), activity.get(rep.pk, {})
        won, lost = a.get("won") or 0, a.get("lost") or 0
        target = targets.get(rep.pk)
        table.rows.append(
            [
                rep.display_name,
                f.get("count") or 0,
                f.get("amount") or ZERO,
                f.get("weighted") or ZERO,
                a.get("calls") or 0,
                a.get("visits") or 0,
                a.get("visits_checked_in") or 0,
                a.get("advances") or 0,
                a.get("won_amount") or ZERO,
                target,
                _pct(a.get("won_amount") or 0, target),
                _pct(won, won + lost),
                anomalies.get(rep.pk, 0),
            ]
        )
        table.links.append(reverse("forecasting:scorecard", args=[rep.pk]))
    return table


def teams_table(*, reads: Reads, months: list[datetime.date]) -> Table:
    """Every team side by side: the director's company view."""
    teams = directory().teams
    funnel = reads.funnel_by("team_id")
    activity = _period_sums(RepMonth.objects.filter(month__in=months), "team_id")
    targets = reads.targets_by("team_id", months)
    anomalies = reads.anomalies_by("team_id")
    table = Table(
        name="teams",
        title=_("各团队对比"),
        columns=[
            Column(_("团队")),
            Column(_("在手项目"), INT),
            Column(_("在手金额"), MONEY),
            Column(_("加权金额"), MONEY),
            Column(_("赢单金额"), MONEY),
            Column(_("目标"), MONEY),
            Column(_("完成率"), PERCENT),
            Column(_("赢单率"), PERCENT),
            Column(_("未处理异常"), INT),
        ],
        chart=Chart(label=0, values=[3, 4, 5]),
    )
    for team in teams:
        f, a = funnel.get(team.pk, {}), activity.get(team.pk, {})
        won, lost = a.get("won") or 0, a.get("lost") or 0
        target = targets.get(team.pk)
        table.rows.append(
            [
                team.name,
                f.get("count") or 0,
                f.get("amount") or ZERO,
                f.get("weighted") or ZERO,
                a.get("won_amount") or ZERO,
                target,
                _pct(a.get("won_amount") or 0, target),
                _pct(won, won + lost),
                anomalies.get(team.pk, 0),
            ]
        )
        table.links.append(reverse("forecasting:team", args=[team.pk]))
    return table


# Anomalies ---------------------------------------------------------------------------------------


def anomalies_active(*, reads: Reads, limit: int = 10) -> dict:
    queryset = reads.scope.apply(Anomaly.objects.active())
    counts = reads.anomalies_by("severity")
    recent = list(queryset.select_related("project", "customer", "owner").order_by(*SEVERE_FIRST)[:limit])
    return {"counts": counts, "total": sum(counts.values()), "recent": recent}


# Scorecard ---------------------------------------------------------------------------------------


@dataclass
class Scorecard:
    rep: User
    months: list[datetime.date]
    calls: int = 0
    visits: int = 0
    visits_checked_in: int = 0
    forms: int = 0
    forms_submitted: int = 0
    forms_on_time: int = 0
    advances: int = 0
    ran_ahead: int = 0
    won: int = 0
    lost: int = 0
    won_amount: Decimal = ZERO
    cycle_days_total: int = 0
    open_anomalies: int = 0
    accuracy: Table | None = None
    activity: Table | None = None

    @property
    def visits_typed(self) -> int:
        """Visits whose report was only typed: no check-in, or one without a location."""
        return self.visits - self.visits_checked_in

    @property
    def on_time_rate(self) -> Decimal | None:
        return _pct(self.forms_on_time, self.forms_submitted)

    @property
    def win_rate(self) -> Decimal | None:
        return _pct(self.won, self.won + self.lost)

    @property
    def ran_ahead_rate(self) -> Decimal | None:
        return _pct(self.ran_ahead, self.advances)

    @property
    def average_cycle(self) -> int | None:
        return round(self.cycle_days_total / self.won) if self.won else None

    @property
    def forecast_accuracy(self) -> Decimal | None:
        values = [row[4] for row in self.accuracy.rows if row[4] is not None] if self.accuracy else []
        return (sum(values) / len(values)).quantize(Decimal("0.1")) if values else None


def scorecard(*, rep: User, months: list[datetime.date]) -> Scorecard:
    card = Scorecard(rep=rep, months=months)
    rows = list(RepMonth.objects.filter(owner=rep, month__in=months).order_by("month"))
    for row in rows:
        for name in (
            "calls",
            "visits",
            "visits_checked_in",
            "forms",
            "forms_submitted",
            "forms_on_time",
            "advances",
            "ran_ahead",
            "won",
            "lost",
            "won_amount",
            "cycle_days_total",
        ):
            setattr(card, name, getattr(card, name) + getattr(row, name))
    by_month = {row.month: row for row in rows}
    card.activity = Table(
        name="activity",
        title=_("每月工作量"),
        columns=[
            Column(_("月份")),
            Column(_("电话"), INT),
            Column(_("拜访"), INT),
            Column(_("其中签到"), INT),
            Column(_("表单"), INT),
            Column(_("阶段推进"), INT),
            Column(_("赢单"), INT),
            Column(_("丢单"), INT),
            Column(_("赢单金额"), MONEY),
        ],
        chart=Chart(label=0, values=[1, 2, 4]),
    )
    for month in months:
        r = by_month.get(month)
        card.activity.rows.append(
            [_label_month(month)]
            + (
                [r.calls, r.visits, r.visits_checked_in, r.forms, r.advances, r.won, r.lost, r.won_amount]
                if r
                else [0] * 7 + [ZERO]
            )
        )
    card.accuracy = accuracy_table(rep=rep, months=[m for m in months if m <= month_start(timezone.localdate())])
    card.open_anomalies = Anomaly.objects.active().filter(owner=rep).count()
    return card


def accuracy_table(*, rep: User, months: list[datetime.date]) -> Table:
    """What the rep forecast for each month when it began, against what they won in it."""
    snapshots = {s.month: s for s in ForecastSnapshot.objects.filter(owner=rep, month__in=months)}
    won = dict(RepMonth.objects.filter(owner=rep, month__in=months).values_list("month", "won_amount"))
    table = Table(
        name="forecast-accuracy",
        title=_("预测准确度"),
        columns=[
            Column(_("月份")),
            Column(_("月初承诺"), MONEY),
            Column(_("月初加权预测"), MONEY),
            Column(_("实际赢单"), MONEY),
            Column(_("准确度"), PERCENT),
        ],
        chart=Chart(label=0, values=[1, 2, 3]),
    )
    for month in months:
        snapshot = snapshots.get(month)
        actual = won.get(month) or ZERO
        accuracy = None
        if snapshot and snapshot.called:
            error = abs(actual - snapshot.called) / snapshot.called
            accuracy = max(Decimal("0"), (1 - error) * 100).quantize(Decimal("0.1"))
        table.rows.append(
            [
                _label_month(month),
                snapshot.commit if snapshot else None,
                snapshot.weighted if snapshot else None,
                actual,
                accuracy,
            ]
        )
    return table


# Calibration -------------------------------------------------------------------------------------


def calibration() -> dict:
    """The forward backtest (what the model would have said at each month-start, judged by what
    happened) and the live model's stage rates."""
    backtest = WinBacktest.objects.first()
    model = WinModel.objects.first()
    table = Table(
        name="calibration",
        title=_("赢率校准(向前回测)"),
        columns=[
            Column(_("预测赢率区间")),
            Column(_("项目数"), INT),
            Column(_("平均预测赢率"), PERCENT),
            Column(_("实际赢单比例"), PERCENT),
        ],
        chart=Chart(label=0, values=[2, 3]),
    )
    for b in backtest.calibration if backtest else []:
        table.rows.append([f"{b['low']}–{b['high']}%", b["n"], _dec(b["predicted"]), _dec(b["actual"])])
    months = Table(
        name="backtest-months",
        title=_("逐月回测"),
        columns=[
            Column(_("月初")),
            Column(_("此前结案(用于拟合)"), INT),
            Column(_("评判项目"), INT),
            Column(_("尚未结案(不评判)"), INT),
            Column(_("本系统布里尔分数")),
            Column(_("阶段默认赢率")),
            Column(_("阶段实际赢率")),
        ],
    )
    for m in backtest.per_month if backtest else []:
        months.rows.append(
            [m["month"][:7], m["trained_on"], m["judged"], m["unresolved"], m["app"], m["default"], m["rate"]]
        )
    directions = Table(
        name="backtest-factors",
        title=_("影响因素的方向是否正确"),
        columns=[
            Column(_("因素")),
            Column(_("方向")),
            Column(_("显示于项目数"), INT),
            Column(_("平均影响(百分点)")),
            Column(_("阶段基准赢率"), PERCENT),
            Column(_("实际赢单比例"), PERCENT),
            Column(_("方向正确")),
        ],
    )
    for f in backtest.factors if backtest else []:
        directions.rows.append(
            [
                factor_name(f["code"], f["value"]),
                _("提高") if f["raises"] else _("降低"),
                f["n"],
                f["points"],
                _dec(f["base"]),
                _dec(f["actual"]),
                _("是") if f["right"] else _("否"),
            ]
        )
    stages = []
    parameters = model.parameters if model else {}
    for number, s in sorted(parameters.get("stage", {}).items(), key=lambda kv: int(kv[0])):
        stages.append(
            [
                int(number),
                s["won"],
                s["lost"],
                _dec(s["default"] * 100),
                _dec(s["rate"] * 100) if model and model.learned else None,
            ]
        )
    stage_table = Table(
        name="stage-rates",
        title=_("各阶段赢率(当前模型)"),
        columns=[
            Column(_("阶段"), INT),
            Column(_("到达后赢单"), INT),
            Column(_("到达后未赢"), INT),
            Column(_("默认赢率"), PERCENT),
            Column(_("学习所得赢率"), PERCENT),
        ],
        rows=stages,
        chart=Chart(label=0, values=[3, 4]),
    )
    return {
        "backtest": backtest,
        "model": model,
        "tuning": parameters.get("tuning"),
        "tuning_chosen": bool(backtest and backtest.judged >= MIN_JUDGED),
        "ratio": (
            round(backtest.brier / backtest.brier_default, 3)
            if backtest and backtest.brier is not None and backtest.brier_default
            else None
        ),
        "ratio_rate": (
            round(backtest.brier / backtest.brier_rate, 3)
            if backtest and backtest.brier is not None and backtest.brier_rate
            else None
        ),
        "table": table,
        "months_table": months,
        "directions_table": directions,
        "stage_table": stage_table,
    }


def _dec(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))


# The project page --------------------------------------------------------------------------------


def forecast_category_label(*, project: Project, forecast: ProjectForecast | None) -> str:
    """What the forecast counts the project as: a closed project is no longer commit, best case or pipeline."""
    if project.status == project.Status.WON:
        return _("已赢单(计入实际赢单)")
    if not project.is_open:
        return _("已结案:%(status)s(不计入预测)") % {"status": project.get_status_display()}
    return forecast.get_category_display() if forecast else str(ForecastCategory.PIPELINE.label)


def project_control(*, project: Project, user: User, kept: dict | None = None) -> dict:
    """Deal control on the project page: probability in words, forecast category, active anomalies."""

    forecast = ProjectForecast.objects.filter(project=project).select_related("rep_set_by", "manager_by").first()
    return {
        "project": project,
        "estimate": explain(project) if project.is_open else None,
        "forecast": forecast,
        "category_label": forecast_category_label(project=project, forecast=forecast),
        "categories": ForecastCategory.choices,
        "can_set_category": project.is_open and project.is_editable_by(user),
        "can_adjust": project.is_open and permissions.acts_for_team(user, team_id=project.team_id),
        "anomalies": list(project.anomalies.active().select_related("owner").order_by("-since")),
        "can_manage_anomalies": permissions.acts_for_team(user, team_id=project.team_id),
        "kept": kept or {},
    }


def anomaly_filter_counts(*, queryset: QuerySet) -> dict:
    return dict(queryset.order_by().values_list("kind").annotate(n=Count("pk")))


def team_choices(user: User) -> list[Team]:
    return directory().teams_for(user)
