from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.visibility import TeamScopedMixin, TeamScopedQuerySet
from core.caching import forget

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Localised:
    """Pick the English column of a catalog row when the interface is English."""

    def localised(self, field: str) -> str:
        if (get_language() or "").startswith("en"):
            return getattr(self, f"{field}_en") or getattr(self, field)
        return getattr(self, field)


class StageDefinition(Localised, models.Model):
    """One of the eight stages: our push stage, the customer's procurement stage it answers, its milestone."""

    number = models.PositiveSmallIntegerField(
        _("阶段序号"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(8)]
    )
    name = models.CharField(_("供应商推进阶段"), max_length=40)
    name_en = models.CharField(_("供应商推进阶段(英文)"), max_length=60, blank=True)
    customer_stage = models.CharField(_("客户采购阶段"), max_length=40)
    customer_stage_en = models.CharField(_("客户采购阶段(英文)"), max_length=80, blank=True)
    milestone = models.CharField(_("里程碑"), max_length=40)
    milestone_en = models.CharField(_("里程碑(英文)"), max_length=80, blank=True)
    visit_label = models.CharField(_("拜访处在哪个阶段"), max_length=40)
    visit_label_en = models.CharField(_("拜访处在哪个阶段(英文)"), max_length=80, blank=True)
    tool_group = models.CharField(_("辅助工具类型"), max_length=40)
    tool_group_en = models.CharField(_("辅助工具类型(英文)"), max_length=80, blank=True)
    default_probability = models.DecimalField(_("默认赢率(%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    guidance = models.TextField(_("阶段要点"), blank=True, help_text=_("本阶段销售人员应该做什么,显示在项目页上。"))
    guidance_en = models.TextField(_("阶段要点(英文)"), blank=True)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("阶段定义")
        verbose_name_plural = _("阶段定义")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.localised("name")

    @property
    def display_customer_stage(self) -> str:
        return self.localised("customer_stage")

    @property
    def display_milestone(self) -> str:
        return self.localised("milestone")

    @property
    def display_visit_label(self) -> str:
        return self.localised("visit_label")

    @property
    def display_tool_group(self) -> str:
        return self.localised("tool_group")

    @property
    def display_guidance(self) -> str:
        return self.localised("guidance")

    @property
    def is_last(self) -> bool:
        return self.number == 8


class StageCondition(Localised, models.Model):
    """A task a rep must finish in a stage before its milestone counts (阶段条件).

    ``kind`` says how it is checked: ticked by hand, or computed from the project's
    data. Form kinds are answered by whichever app registers an evaluator for them
    (see ``pipeline.gates``), so new kinds plug in without touching the gate.
    """

    class Kind(models.TextChoices):
        CHECKLIST = "checklist", _("勾选确认")
        FORM_SUBMITTED = "form_submitted", _("表单已提交")
        FORM_APPROVED = "form_approved", _("表单已批准")
        DECISION_MAKER_IDENTIFIED = "decision_maker_identified", _("已识别决策者")
        BUYING_CENTER_MAPPED = "buying_center_mapped", _("已填写采购角色与态度")
        PROCUREMENT_MAP_FILLED = "procurement_map_filled", _("已填写客户内部采购流程")

    stage = models.ForeignKey(
        StageDefinition, verbose_name=_("阶段"), on_delete=models.CASCADE, related_name="conditions"
    )
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("条件类型"), max_length=32, choices=Kind, default=Kind.CHECKLIST)
    text = models.CharField(_("条件"), max_length=200)
    text_en = models.CharField(_("条件(英文)"), max_length=200, blank=True)
    form_type = models.CharField(
        _("表单类型"), max_length=8, blank=True, help_text=_("表单类条件填写表单编号,如 F05。")
    )
    task_days = models.PositiveSmallIntegerField(
        _("任务期限(天)"), default=7, help_text=_("进入本阶段后,据此为负责人生成阶段任务的到期日。")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("阶段条件")
        verbose_name_plural = _("阶段条件")
        ordering = ["stage__number", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["form_submitted", "form_approved"]) | ~Q(form_type=""),
                name="form_condition_names_its_form_type",
            )
        ]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        return self.localised("text")

    @property
    def is_manual(self) -> bool:
        return self.kind == self.Kind.CHECKLIST


def projects_elsewhere(user) -> list[int]:
    """Projects of other teams the user works on as a project-team member (usually none).

    Looked up first so that visibility filters stay a plain ``team_id = …`` the indexes
    serve, instead of an OR with a subquery that scans the whole table. Kept in the cache
    per user until a membership of theirs changes (``forget_projects_elsewhere``).
    """
    cached = getattr(user, "_projects_elsewhere", None)  # asked more than once per request
    if cached is None:
        key = _elsewhere_key(user.pk)
        team_id, cached = cache.get(key) or (None, None)
        if cached is None or team_id != user.team_id:
            cached = list(
                ProjectMember.objects.filter(user=user)
                .exclude(team_id=user.team_id)
                .values_list("project_id", flat=True)[:1000]
            )
            cache.set(key, (user.team_id, cached), timeout=3600)
        user._projects_elsewhere = cached
    return cached


def _elsewhere_key(user_id) -> str:
    return f"pipeline:elsewhere:{user_id}"


def forget_projects_elsewhere(user_ids) -> None:
    forget(*[_elsewhere_key(pk) for pk in user_ids])


def visible_by_team_or_membership(user, *, project_path: str) -> Q:
    team = Q(team_id=user.team_id) if user.team_id else Q(pk__in=[])
    elsewhere = projects_elsewhere(user)
    return team | Q(**{f"{project_path}__in": elsewhere}) if elsewhere else team


class ProjectQuerySet(TeamScopedQuerySet):
    team_path = "team"
    owner_paths = ("owner",)

    def _member(self, user) -> Exists:
        return Exists(ProjectMember.objects.filter(project=OuterRef("pk"), user=user))

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        return self.filter(visible_by_team_or_membership(user, project_path="pk"))

    def editable_by(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        mine = Q(owner=user) | self._member(user)
        if user.is_manager:
            mine |= Q(team_id=user.team_id)
        return self.filter(mine)

    def open(self):
        return self.filter(status=Project.Status.OPEN)

    def won(self):
        return self.filter(status=Project.Status.WON)


class Project(TeamScopedMixin, models.Model):
    """销售项目: one opportunity moving through both eight-stage tracks."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        WON = "won", _("赢单")
        LOST = "lost", _("丢单")
        ABANDONED = "abandoned", _("放弃")

    class Currency(models.TextChoices):
        CNY = "CNY", _("人民币")
        USD = "USD", _("美元")
        EUR = "EUR", _("欧元")

    class LostReason(models.TextChoices):
        PRICE = "price", _("价格")
        RELATIONSHIP = "relationship", _("客户关系")
        TECHNICAL_FIT = "technical_fit", _("技术不符")
        COMPETITOR = "competitor", _("竞争对手")
        BUDGET_CANCELLED = "budget_cancelled", _("预算取消")
        OTHER = "other", _("其他")

    number = models.CharField(_("项目编号"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("项目名称"), max_length=200)
    description = models.TextField(_("项目概述"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="projects"
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("所属团队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="projects",
    )
    amount = models.DecimalField(
        _("项目金额"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(_("币种"), max_length=3, choices=Currency, default=Currency.CNY)
    exchange_rate = models.DecimalField(
        _("折算汇率"),
        max_digits=10,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("1 单位该币种折合人民币;人民币项目为 1。"),
    )
    amount_cny = models.DecimalField(_("折合人民币"), max_digits=18, decimal_places=2, editable=False, default=0)
    expected_close_date = models.DateField(_("预计签约日期"))
    stage = models.ForeignKey(
        StageDefinition, verbose_name=_("我方阶段"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    stage_entered_at = models.DateTimeField(_("进入本阶段时间"), editable=False)
    customer_stage = models.ForeignKey(
        StageDefinition, verbose_name=_("客户采购阶段"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    customer_stage_observed_on = models.DateField(_("客户阶段观察日期"), editable=False)
    win_probability = models.DecimalField(
        _("赢率(%)"), max_digits=5, decimal_places=2, validators=PERCENT, editable=False, default=0
    )  # written only by deal control (forecasting.probability): on every change, and by the roll-up
    # What the last scoring found behind the probability (its base and factors): the page reads it back.
    win_reasons = models.JSONField(default=dict, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.OPEN, editable=False)
    lost_reason = models.CharField(_("丢单原因"), max_length=20, choices=LostReason, blank=True, editable=False)
    close_note = models.TextField(_("结案说明"), blank=True, editable=False)
    success_story = models.TextField(
        _("成功经验"), blank=True, editable=False, help_text=_("赢单后填写,在案例库中与全公司分享。")
    )
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True, editable=False)
    # Facts the services keep as the project moves, so deal control reads them without replaying history.
    furthest_stage_number = models.PositiveSmallIntegerField(_("最远到达阶段"), default=1, editable=False)
    close_date_pushes = models.PositiveSmallIntegerField(_("签约日期推迟次数"), default=0, editable=False)
    # The stay its close ended (stage number, days), while closed: the win model's "stalled" for closed projects.
    final_stay_stage_number = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    final_stay_days = models.PositiveIntegerField(null=True, blank=True, editable=False)
    peak_amount_cny = models.DecimalField(
        _("最高金额(折合人民币)"), max_digits=18, decimal_places=2, editable=False, default=0
    )
    last_activity_at = models.DateTimeField(_("最近活动时间"), null=True, blank=True, editable=False)
    # the optimistic lock (core/versioning.py): bumped by every save through the services
    version = models.PositiveIntegerField(default=1, db_default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(
        excluded_fields=[
            "updated_at",
            "version",
            "amount_cny",
            "win_probability",
            "win_reasons",
            "furthest_stage_number",
            "close_date_pushes",
            "final_stay_stage_number",
            "final_stay_days",
            "peak_amount_cny",
            "last_activity_at",
        ]
    )
    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("销售项目")
        verbose_name_plural = _("销售项目")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["team", "status", "stage"]),
            models.Index(fields=["owner", "status", "stage"]),
            models.Index(fields=["status", "expected_close_date"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["-created_at"], name="project_newest_first"),
            models.Index(fields=["team", "-created_at"], name="project_team_newest_first"),
            # The case library: won projects, latest signed first.
            models.Index(fields=["-closed_at"], condition=Q(status="won"), name="project_won_latest_first"),
            # The funnel board: each column's first cards and its totals read from the index alone.
            models.Index(
                fields=["stage", "expected_close_date", "id"],
                include=["amount_cny", "win_probability"],
                condition=Q(status="open"),
                name="project_open_board",
            ),
            models.Index(
                fields=["team", "stage", "expected_close_date", "id"],
                include=["amount_cny", "win_probability"],
                condition=Q(status="open"),
                name="project_open_team_board",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="project_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "won"]) | ~Q(lost_reason=""),
                name="lost_or_abandoned_project_has_a_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("pipeline:project-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def days_in_stage(self) -> int:
        return (timezone.now() - self.stage_entered_at).days

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount_cny * self.win_probability / 100).quantize(Decimal("0.01"))

    @property
    def stage_gap(self) -> int:
        """Our stage minus the customer's: positive when we run ahead of the customer."""
        return self.stage.number - self.customer_stage.number

    @property
    def stage_gap_abs(self) -> int:
        return abs(self.stage_gap)

    @property
    def tracks_disagree(self) -> bool:
        return self.is_open and self.stage_id != self.customer_stage_id

    def member_user_ids(self) -> set[int]:
        return {m.user_id for m in self.members.all()}

    def is_visible_to(self, user) -> bool:
        return super().is_visible_to(user) or (user.is_authenticated and user.pk in self.member_user_ids())

    def is_editable_by(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if user.sees_everything or user.manages(self.team_id):
            return True
        return user.pk == self.owner_id or user.pk in self.member_user_ids()

    def why_not_editable(self) -> str:
        """What a user who may only read the project is told: who may change it, as ``is_editable_by`` says."""
        return _("%(project)s 只有负责人、项目成员、本团队的销售经理和销售总监可以推进。") % {"project": self.name}


class ProjectMember(models.Model):
    """The project team: who works the deal, in which role."""

    class Role(models.TextChoices):
        ACCOUNT_MANAGER = "account_manager", _("大客户经理")
        PROJECT_MANAGER = "project_manager", _("项目经理")
        ENGINEER = "engineer", _("技术工程师")
        SALES_DIRECTOR = "sales_director", _("销售总监")
        OTHER = "other", _("其他")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("成员"), on_delete=models.PROTECT, related_name="project_memberships"
    )
    role = models.CharField(_("项目角色"), max_length=20, choices=Role)
    # The project's team, kept here so "which other teams' projects is this person on" is one index lookup.
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目组成员")
        verbose_name_plural = _("项目组成员")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]
        indexes = [models.Index(fields=["user", "project"]), models.Index(fields=["user", "team"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        self.team_id = self.project.team_id
        super().save(*args, **kwargs)


class StageChangeQuerySet(models.QuerySet):
    def stays(self):
        """Changes that start a stay in a stage (closing ends a project instead)."""
        return self.filter(kind__in=StageChange.STAY_KINDS)


class StageChange(models.Model):
    """A move of the project on our track: who, when, from where to where, and why.

    A change that starts a stay in a stage is closed by the next change: ``left_at`` and
    ``days`` then say how long the project stayed, which deal control reads for its norms.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("立项")
        ADVANCE = "advance", _("推进")
        STEP_BACK = "step_back", _("回退")
        CLOSE_WON = "close_won", _("赢单")
        CLOSE_LOST = "close_lost", _("丢单")
        CLOSE_ABANDONED = "close_abandoned", _("放弃")
        REOPEN = "reopen", _("重新打开")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    kind = models.CharField(_("变更类型"), max_length=16, choices=Kind)
    from_stage = models.ForeignKey(
        StageDefinition, verbose_name=_("原阶段"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    to_stage = models.ForeignKey(StageDefinition, verbose_name=_("新阶段"), on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)
    reason = models.TextField(_("原因"), blank=True)
    override_reason = models.TextField(_("越过阶段条件的理由"), blank=True)
    unmet_conditions = models.JSONField(_("当时未满足的条件"), default=list, blank=True)
    customer_stage = models.ForeignKey(
        StageDefinition,
        verbose_name=_("当时的客户采购阶段"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    left_at = models.DateTimeField(_("离开本阶段时间"), null=True, blank=True)
    days = models.PositiveIntegerField(_("停留天数"), null=True, blank=True)

    STAY_KINDS = (Kind.CREATED, Kind.ADVANCE, Kind.STEP_BACK, Kind.REOPEN)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["project", "at"]),
            models.Index(fields=["at"]),
            # Read in project order by the roll-ups (stays per team and stage, advances per rep and
            # month), merged with the projects instead of hashing a million of them.
            models.Index(
                fields=["project"],
                include=["to_stage", "days"],
                condition=Q(kind__in=["created", "advance", "step_back", "reopen"], days__isnull=False),
                name="stagechange_closed_stays",
            ),
            models.Index(
                fields=["project"],
                include=["at", "to_stage", "customer_stage"],
                condition=Q(kind="advance"),
                name="stagechange_advances",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_stage_id} → {self.to_stage_id}"

    @property
    def is_override(self) -> bool:
        return bool(self.override_reason)

    @property
    def ran_ahead_of_customer(self) -> bool:
        return self.customer_stage is not None and self.to_stage.number > self.customer_stage.number


class CustomerStageObservation(models.Model):
    """What the rep saw of the customer's procurement stage, and when: every change is kept."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="customer_stage_observations")
    stage = models.ForeignKey(
        StageDefinition, verbose_name=_("客户采购阶段"), on_delete=models.PROTECT, related_name="+"
    )
    observed_on = models.DateField(_("观察日期"))
    note = models.TextField(_("依据"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        verbose_name = _("客户阶段记录")
        verbose_name_plural = _("客户阶段记录")
        ordering = ["recorded_at", "pk"]
        indexes = [models.Index(fields=["project", "recorded_at"])]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.stage_id} @ {self.observed_on}"


class ConditionCheck(models.Model):
    """A checklist condition ticked for a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="condition_checks")
    condition = models.ForeignKey(StageCondition, on_delete=models.CASCADE, related_name="checks")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "condition"], name="one_check_per_condition")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.condition_id}"


class ProcurementStep(models.Model):
    """F08 客户内部采购流程: one row of the customer's procurement process map."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="procurement_steps")
    step = models.PositiveSmallIntegerField(_("步骤"), validators=[MinValueValidator(1)])
    process = models.CharField(_("采购过程"), max_length=200)
    responsible = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("采购负责人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.CharField(_("职位"), max_length=100, blank=True, help_text=_("留空则取联系人的职位。"))
    considerations = models.TextField(_("考虑因素"), blank=True)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("采购流程步骤")
        verbose_name_plural = _("客户内部采购流程")
        ordering = ["step", "pk"]

    def __str__(self) -> str:
        return f"{self.step}. {self.process}"

    @property
    def display_position(self) -> str:
        return self.position or (self.responsible.title if self.responsible else "")


class BuyingCenterMember(models.Model):
    """F09 与采购有关人的角色与态度: one person involved in this purchase."""

    class Level(models.TextChoices):
        OPERATIONAL = "operational", _("操作层")
        MANAGEMENT = "management", _("管理层")
        DECISION = "decision", _("决策层")

    class Department(models.TextChoices):
        FINANCE = "finance", _("财务")
        PURCHASING = "purchasing", _("采购")
        USER = "user", _("使用")
        TECHNICAL = "technical", _("技术")

    class Role(models.TextChoices):
        INITIATOR = "initiator", _("发起者")
        DESIGNER = "designer", _("设计者")
        DECISION_MAKER = "decision_maker", _("决策者")
        USER = "user", _("使用者")
        EVALUATOR = "evaluator", _("评估者")

    class Attitude(models.TextChoices):
        SUPPORTER = "supporter", _("支持者")
        NEUTRAL = "neutral", _("中立者")
        OPPONENT = "opponent", _("反对者")

    class Closeness(models.TextChoices):
        CLOSE = "close", _("密切")
        FREQUENT = "frequent", _("频繁")
        DISTANT = "distant", _("疏远")
        NONE = "none", _("未联系")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="buying_center")
    contact = models.ForeignKey(
        "contacts.Contact", verbose_name=_("姓名"), on_delete=models.CASCADE, related_name="buying_roles"
    )
    level = models.CharField(_("职务"), max_length=12, choices=Level)
    department = models.CharField(_("科室"), max_length=12, choices=Department)
    role = models.CharField(_("角色"), max_length=16, choices=Role)
    attitude = models.CharField(_("态度"), max_length=12, choices=Attitude)
    closeness = models.CharField(_("联系"), max_length=12, choices=Closeness)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("采购角色")
        verbose_name_plural = _("与采购有关人的角色与态度")
        ordering = ["contact__name"]
        constraints = [models.UniqueConstraint(fields=["project", "contact"], name="one_buying_role_per_contact")]
        indexes = [
            # The win model's red flag (a decision maker opposed, not in touch, or none at all) for a
            # million projects: read from the decision makers alone, not 2.5 million roles (0.6 -> 0.13 s).
            models.Index(
                fields=["project"],
                include=["attitude", "closeness"],
                condition=Q(role="decision_maker"),
                name="buyingcenter_decision_makers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contact} · {self.get_role_display()}"


class TaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A task is seen as its project is (its team's), and always by its owner."""
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        if user.team_id is None:
            return self.filter(owner_id=user.pk)
        return self.filter(Q(team_id=user.team_id) | Q(owner_id=user.pk))

    def search(self, text: str):
        """Tasks whose title, project (name or number) or customer contains ``text``."""
        from core.search import contains
        from customers.models import Customer

        text = text.strip()
        if not text:
            return self
        return self.filter(
            contains(
                text,
                "title",
                via={"project": (Project.objects, ("name", "number")), "customer": (Customer.objects, ("name",))},
            )
        )

    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Task(models.Model):
    """Something someone must do by a date: a next contact, a promise to the customer, a stage task."""

    class Kind(models.TextChoices):
        NEXT_CONTACT = "next_contact", _("下次联络")
        PROMISE = "promise", _("对客户的承诺")
        STAGE = "stage", _("阶段任务")
        OTHER = "other", _("其他")

    project = models.ForeignKey(
        Project, verbose_name=_("销售项目"), on_delete=models.CASCADE, null=True, blank=True, related_name="tasks"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="tasks"
    )
    kind = models.CharField(_("任务类型"), max_length=16, choices=Kind, default=Kind.OTHER)
    title = models.CharField(_("任务"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT, related_name="tasks"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    due_date = models.DateField(_("到期日"))
    condition = models.ForeignKey(StageCondition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    # What made the task, when a record did ("F05:12:commitment:3"): handing the record in again
    # updates its tasks instead of making them twice.
    source = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)

    objects = TaskQuerySet.as_manager()

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["due_date", "pk"]
        indexes = [
            models.Index(fields=["owner", "done_at", "due_date"]),
            models.Index(fields=["team", "done_at", "due_date"]),
            # A director's "my day": the company's overdue tasks, oldest due first.
            models.Index(fields=["due_date", "id"], condition=Q(done_at__isnull=True), name="task_open_by_due"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["source"], condition=~Q(source=""), name="one_task_per_source"),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_date < timezone.localdate()
