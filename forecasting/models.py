"""Deal control (成交管控系统): the summary tables the dashboards read, and what managers act on.

Every table here is derived from projects, stage changes and forms by
``forecasting.rollups`` and friends, except forecast categories, targets,
the thresholds and a manager's acknowledgement of an anomaly.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.visibility import TeamScopedMixin, TeamScopedQuerySet

MONEY: dict[str, Any] = {"max_digits": 20, "decimal_places": 2, "default": Decimal("0")}


class DealControlSettings(models.Model):
    """The thresholds of deal control, one row, edited by admins."""

    learning_min_closed = models.PositiveIntegerField(
        _("开始学习赢率所需的结案项目数"), default=30, help_text=_("赢单加丢单项目少于此数时,赢率取阶段默认值。")
    )
    smoothing_strength = models.PositiveIntegerField(
        _("平滑强度"), default=20, help_text=_("数据少时向阶段默认赢率靠拢的程度(相当于多少个项目)。")
    )
    stall_factor = models.DecimalField(
        _("停滞倍数"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("2"),
        validators=[MinValueValidator(Decimal("1"))],
        help_text=_("在一个阶段停留超过公司该阶段中位天数的多少倍算停滞。"),
    )
    stall_fallback_days = models.PositiveIntegerField(
        _("无历史数据时的停滞天数"), default=30, validators=[MinValueValidator(1)]
    )
    stage_gap = models.PositiveSmallIntegerField(
        _("双轨相差阶段数"), default=2, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    close_date_pushes = models.PositiveSmallIntegerField(
        _("签约日期推迟次数"), default=3, validators=[MinValueValidator(1)]
    )
    amount_cut_percent = models.PositiveSmallIntegerField(
        _("金额下调比例(%)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    abandoned_as_lost = models.BooleanField(
        _("放弃的项目算作丢单"), default=True, help_text=_("学习赢率时,放弃的项目算作未赢;不勾选则不计入。")
    )
    idle_days = models.PositiveSmallIntegerField(_("无活动天数"), default=14, validators=[MinValueValidator(1)])
    decision_maker_stage = models.PositiveSmallIntegerField(
        _("检查决策者态度的起始阶段"), default=5, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    form_on_time_days = models.PositiveSmallIntegerField(
        _("表单按时提交期限(天)"), default=3, help_text=_("表单日期后多少天内提交算按时。")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成交管控参数")
        verbose_name_plural = _("成交管控参数")

    def __str__(self) -> str:
        return str(_("成交管控参数"))

    @classmethod
    def current(cls) -> "DealControlSettings":
        return cls.objects.get_or_create(pk=1)[0]


class StageStat(models.Model):
    """Per team (or the whole company when ``team`` is empty) and stage: how many got here, went on, and how long."""

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    stage = models.ForeignKey("pipeline.StageDefinition", on_delete=models.CASCADE, related_name="+")
    reached = models.PositiveIntegerField(_("到达"), default=0)
    advanced = models.PositiveIntegerField(_("进入下一阶段"), default=0)
    won = models.PositiveIntegerField(_("最终赢单"), default=0)
    lost = models.PositiveIntegerField(_("最终丢单"), default=0)
    stays = models.PositiveIntegerField(_("已结束的停留"), default=0)
    days_total = models.PositiveBigIntegerField(default=0)
    median_days = models.PositiveIntegerField(_("中位停留天数"), null=True)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["team", "stage"])]

    def __str__(self) -> str:
        return f"{self.team_id or 'company'} · {self.stage_id}"

    @property
    def conversion(self) -> Decimal | None:
        return Decimal(self.advanced * 100 / self.reached).quantize(Decimal("0.1")) if self.reached else None

    @property
    def average_days(self) -> Decimal | None:
        return Decimal(self.days_total / self.stays).quantize(Decimal("0.1")) if self.stays else None


class FunnelSnapshot(models.Model):
    """The open funnel of one rep in one stage on one day: count, amount, weighted amount (CNY)."""

    day = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey("pipeline.StageDefinition", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**MONEY)
    weighted = models.DecimalField(**MONEY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "owner", "stage"], name="one_funnel_row_per_day")]
        indexes = [models.Index(fields=["team", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.day} · {self.owner_id} · {self.stage_id}"


class ForecastCategory(models.TextChoices):
    COMMIT = "commit", _("承诺")
    BEST_CASE = "best_case", _("最佳情况")
    PIPELINE = "pipeline", _("管道")
    OMITTED = "omitted", _("不计入")


class ForecastRollup(models.Model):
    """A rep's open projects by expected close month and forecast category, and what they won by month."""

    WON = "won"

    month = models.DateField(help_text="first day of the month")
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(max_length=12)  # a ForecastCategory or "won"
    count = models.PositiveIntegerField(default=0)
    amount = models.DecimalField(**MONEY)
    weighted = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month", "owner", "category"], name="one_forecast_row_per_category")
        ]
        indexes = [models.Index(fields=["team", "month"]), models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.owner_id} · {self.category}"


class RepMonth(models.Model):
    """What a rep did in a month: calls, visits, forms, advances, wins; the scorecard sums these."""

    month = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    calls = models.PositiveIntegerField(_("电话"), default=0)
    visits = models.PositiveIntegerField(_("拜访"), default=0)
    # Of those, visits checked in at the customer with a location (拜访签到); the rest were typed.
    visits_checked_in = models.PositiveIntegerField(_("签到拜访"), default=0, db_default=0)
    forms = models.PositiveIntegerField(_("表单"), default=0)
    forms_submitted = models.PositiveIntegerField(_("已提交表单"), default=0)
    forms_on_time = models.PositiveIntegerField(_("按时提交的表单"), default=0)
    advances = models.PositiveIntegerField(_("阶段推进"), default=0)
    ran_ahead = models.PositiveIntegerField(_("领先客户的推进"), default=0)
    won = models.PositiveIntegerField(_("赢单"), default=0)
    lost = models.PositiveIntegerField(_("丢单"), default=0)
    won_amount = models.DecimalField(**MONEY)
    cycle_days_total = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "owner"], name="one_rep_month")]
        indexes = [models.Index(fields=["team", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.owner_id}"


class ForecastSnapshot(models.Model):
    """What a rep's forecast for a month was when the month began (for forecast accuracy)."""

    month = models.DateField()
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    commit = models.DecimalField(**MONEY)
    best_case = models.DecimalField(**MONEY)
    pipeline = models.DecimalField(**MONEY)
    weighted = models.DecimalField(**MONEY)
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["month", "owner"], name="one_forecast_snapshot")]
        indexes = [models.Index(fields=["team", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.owner_id}"

    @property
    def called(self) -> Decimal:
        """The number the rep stood behind: the commit figure, or the weighted pipeline when nothing was committed."""
        return self.commit or self.weighted


class ProjectForecast(models.Model):
    """The forecast category of a project: the rep's call, a manager's adjustment with a note; both kept."""

    project = models.OneToOneField("pipeline.Project", on_delete=models.CASCADE, related_name="forecast")
    rep_category = models.CharField(_("销售人员判断"), max_length=12, choices=ForecastCategory, blank=True)
    rep_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rep_set_at = models.DateTimeField(null=True, blank=True)
    manager_category = models.CharField(_("经理调整"), max_length=12, choices=ForecastCategory, blank=True)
    manager_note = models.TextField(_("调整说明"), blank=True)
    manager_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    manager_at = models.DateTimeField(null=True, blank=True)
    category = models.CharField(
        _("预测类别"), max_length=12, choices=ForecastCategory, default=ForecastCategory.PIPELINE, editable=False
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预测类别")
        verbose_name_plural = _("预测类别")

    def __str__(self) -> str:
        return f"{self.project_id} · {self.category}"


class SalesTarget(models.Model):
    """A monthly target (CNY) for a rep, or for a team when ``owner`` is empty."""

    month = models.DateField(_("月份"))
    team = models.ForeignKey("accounts.Team", verbose_name=_("团队"), on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("销售人员"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    amount = models.DecimalField(
        _("目标金额"), max_digits=18, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("销售目标")
        verbose_name_plural = _("销售目标")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "team"], condition=Q(owner__isnull=True), name="one_team_target_a_month"
            ),
            models.UniqueConstraint(
                fields=["month", "owner"], condition=Q(owner__isnull=False), name="one_rep_target_a_month"
            ),
        ]
        indexes = [models.Index(fields=["team", "month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.owner_id or self.team_id} · {self.amount}"


class WinModel(models.Model):
    """One fit of the win-probability model on the organisation's closed projects, with its calibration."""

    day = models.DateField(unique=True)
    fitted_at = models.DateTimeField()
    closed = models.PositiveIntegerField(default=0)
    won = models.PositiveIntegerField(default=0)
    learned = models.BooleanField(default=False)
    parameters = models.JSONField(default=dict)

    class Meta:
        get_latest_by = "fitted_at"
        ordering = ["-fitted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.day} · {self.closed}"


class WinBacktest(models.Model):
    """The win model's forward backtest (``forecasting.backtest``): the calibration page reads the newest."""

    day = models.DateField(unique=True)
    run_at = models.DateTimeField()
    months = models.JSONField(default=list)  # the month-starts judged, oldest first
    judged = models.PositiveIntegerField(default=0)
    unresolved = models.PositiveIntegerField(default=0)  # open at a month-start and still open
    with_reasons = models.PositiveIntegerField(default=0)
    brier = models.FloatField(null=True)
    brier_default = models.FloatField(null=True)
    brier_rate = models.FloatField(null=True)
    right_share = models.FloatField(null=True)  # shown reasons that pointed the way things went
    tuning = models.JSONField(default=dict)  # what the live model uses: k, ridge, z
    per_month = models.JSONField(default=list)
    calibration = models.JSONField(default=list)
    factors = models.JSONField(default=list)

    class Meta:
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.day} · {self.judged}"


class AnomalyQuerySet(TeamScopedQuerySet):
    team_path = "team"
    owner_paths = ("owner",)

    def active(self):
        return self.filter(status__in=[Anomaly.Status.OPEN, Anomaly.Status.ACKNOWLEDGED])


def anomaly_kinds():
    """The kinds the registered anomaly rules raise (forecasting.anomalies.rules), with their names."""
    from forecasting.anomalies import kind_choices

    return kind_choices()


class Anomaly(TeamScopedMixin, models.Model):
    """异常情况: something going wrong with a project or customer, until a manager resolves it or it clears."""

    class Severity(models.TextChoices):
        HIGH = "high", _("严重")
        MEDIUM = "medium", _("一般")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ACKNOWLEDGED = "acknowledged", _("已知悉")
        RESOLVED = "resolved", _("已解决")
        CLEARED = "cleared", _("已自动解除")

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("异常类型"), max_length=20, choices=anomaly_kinds)  # one per registered rule
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity)
    project = models.ForeignKey(
        "pipeline.Project",
        verbose_name=_("销售项目"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="anomalies",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="deal_anomalies"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateTimeField(_("开始时间"))
    details = models.JSONField(default=dict)
    status = models.CharField(_("状态"), max_length=12, choices=Status, default=Status.OPEN)
    detected_at = models.DateTimeField(_("发现时间"))
    cleared_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledge_note = models.TextField(_("知悉说明"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolve_note = models.TextField(_("解决说明"), blank=True)

    objects = AnomalyQuerySet.as_manager()

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords(excluded_fields=["details"])

    class Meta:
        verbose_name = _("异常情况")
        verbose_name_plural = _("异常情况")
        ordering = ["-since", "-pk"]
        indexes = [
            models.Index(fields=["team", "status", "since"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["status", "since"]),
            models.Index(fields=["project", "status"]),
            models.Index(fields=["severity", "-since", "-id"], name="anomaly_severe_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.project or self.customer}"

    def get_absolute_url(self) -> str:
        return reverse("forecasting:anomaly-detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ACKNOWLEDGED)

    @property
    def explanation(self) -> str:
        from forecasting.anomalies import explain

        return explain(self)
