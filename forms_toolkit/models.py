"""The paper forms (辅助工具) as records: one shared base, one model per paper, child models for table rows.

Labels are the paper's words verbatim. Which stage a form belongs to, who signs
it and how it prints live in ``forms_toolkit.registry``.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.visibility import TeamScopedMixin, TeamScopedQuerySet
from core.models import AuditBlock

if TYPE_CHECKING:
    from forms_toolkit.registry import FormType

WEIGHT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
SCORE_1_5 = [MinValueValidator(1), MaxValueValidator(5)]


def text(label, **kw):
    return models.TextField(label, blank=True, **kw)


def char(label, length=100, **kw):
    return models.CharField(label, max_length=length, blank=True, **kw)


def date(label, **kw):
    return models.DateField(label, null=True, blank=True, **kw)


def money(label, **kw):
    return models.DecimalField(
        label,
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        **kw,
    )


def weight(label=None):
    return models.DecimalField(label or _("权重(%)"), max_digits=5, decimal_places=2, validators=WEIGHT)


class StageFormQuerySet(TeamScopedQuerySet):
    """The team reads its forms; so do members of the form's project team."""

    team_path = "team"
    owner_paths = ("filled_by",)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self.all()
        from pipeline.models import visible_by_team_or_membership

        return self.filter(visible_by_team_or_membership(user, project_path="project_id"))

    def submitted_or_approved(self):
        return self.filter(status__in=[StageForm.Status.SUBMITTED, StageForm.Status.APPROVED])


class StageForm(TeamScopedMixin, models.Model):
    """What every paper form shares: its project or customer, 编号, who filled it and when, sign-off, version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("已提交")
        APPROVED = "approved", _("已批准")
        RETURNED = "returned", _("已退回")

    number = models.CharField(_("编号"), max_length=24, unique=True, editable=False)
    project = models.ForeignKey(
        "pipeline.Project",
        verbose_name=_("销售项目"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+", editable=False
    )
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.PROTECT, null=True, blank=True, editable=False, related_name="+"
    )
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    filled_on = models.DateField(_("日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.DRAFT, editable=False)
    manager_advice = models.TextField(_("领导建议"), blank=True, editable=False)
    awaiting_step = models.CharField(_("待审批环节"), max_length=32, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True, editable=False)
    shareable = models.BooleanField(
        _("可在案例库中分享"), default=False, help_text=_("赢单后,本表单可供全公司销售人员阅读。")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(inherit=True, excluded_fields=["updated_at"])
    objects = StageFormQuerySet.as_manager()

    team_path = "team"
    owner_paths = ("filled_by",)

    class Meta:
        abstract = True
        ordering = ["-filled_on", "-pk"]
        # Lists, the queue, my day and the gates read FormRecord (indexed there); a type's own table
        # is read by id, or by project for the stage that type was filled in.
        indexes = [models.Index(fields=["project", "status"], name="%(class)s_p")]

    def __str__(self) -> str:
        return f"{self.number}"

    def save(self, *args, **kwargs) -> None:
        """The form and its row in FormRecord, in the same transaction."""
        with transaction.atomic():
            adding = self._state.adding and self.pk is None  # an INSERT for sure: its record is new too
            super().save(*args, **kwargs)
            FormRecord.write(self, adding=adding)

    def get_absolute_url(self) -> str:
        return reverse("forms_toolkit:detail", args=[self.form_type.code, self.pk])

    @property
    def form_type(self) -> FormType:
        from forms_toolkit.registry import registry

        return registry.for_model(type(self))

    def is_visible_to(self, user) -> bool:
        if super().is_visible_to(user):
            return True
        return self.project is not None and self.project.is_visible_to(user)

    def is_editable_by(self, user) -> bool:
        """The one who filled it, the project's owner and team, the team's manager, directors."""
        if not self.is_visible_to(user):
            return False
        if user.sees_everything or user.manages(self.team_id) or self.filled_by_id == user.pk:
            return True
        if self.project is None:  # a customer's paper: whoever may edit the customer
            return self.customer.is_editable_by(user)
        return self.project.is_editable_by(user)

    @property
    def is_editable_status(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class FormRow(models.Model):
    """A row of a table on a paper form."""

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class FormRecord(TeamScopedMixin, models.Model):
    """What every paper form shares, one row per form of any type (its ``form_code`` and ``form_id``),
    written with the form in the same transaction (``StageForm.save``). The forms list, the approval
    queue, my day, the paperwork sections, the gates and the sign-offs read this one table."""

    form_code = models.CharField(_("表单"), max_length=4)
    form_id = models.PositiveBigIntegerField()
    number = models.CharField(_("编号"), max_length=24, unique=True)
    project = models.ForeignKey(
        "pipeline.Project", verbose_name=_("销售项目"), on_delete=models.CASCADE, null=True, related_name="+"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, null=True, related_name="+")
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填写人"), on_delete=models.PROTECT, related_name="+"
    )
    filled_on = models.DateField(_("日期"))
    # The stage a form of any stage was filled in (F05's 拜访阶段); the paperwork lists it there.
    stage = models.ForeignKey(
        "pipeline.StageDefinition", on_delete=models.PROTECT, null=True, related_name="+", db_index=False
    )
    status = models.CharField(_("状态"), max_length=10, choices=StageForm.Status)
    awaiting_step = models.CharField(_("待审批环节"), max_length=32, blank=True)
    manager_advice = models.TextField(_("领导建议"), blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True)
    # An F05 visit checked in at the customer with a location (the scorecard counts these apart).
    checked_in = models.BooleanField(_("已签到"), default=False, db_default=False)

    objects = StageFormQuerySet.as_manager()

    team_path = "team"
    owner_paths = ("filled_by",)

    # What the record copies from its form (StageForm attribute names).
    COPIED = (
        "number",
        "project_id",
        "customer_id",
        "team_id",
        "filled_by_id",
        "filled_on",
        "status",
        "awaiting_step",
        "manager_advice",
        "submitted_at",
        "decided_at",
    )

    class Meta:
        verbose_name = _("表单索引")
        verbose_name_plural = _("表单索引")
        constraints = [models.UniqueConstraint(fields=["form_code", "form_id"], name="formrecord_form")]
        indexes = [
            models.Index(fields=["team", "status", "submitted_at"], name="formrecord_queue"),
            models.Index(fields=["project", "status"], name="formrecord_project"),
            models.Index(fields=["customer", "status"], name="formrecord_customer"),
            # A rep's returned forms on "my day" (a rep has thousands of forms, a few returned).
            models.Index(fields=["filled_by", "status", "decided_at"], name="formrecord_filler"),
            # The forms list, newest first.
            models.Index(fields=["filled_on", "id"], name="formrecord_newest"),
            models.Index(fields=["form_code", "filled_on", "id"], name="formrecord_type_newest"),
            # A director's approval queue: every team's submitted forms, oldest first.
            models.Index(fields=["submitted_at", "id"], condition=Q(status="submitted"), name="formrecord_submitted"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("forms_toolkit:detail", args=[self.form_code, self.form_id])

    @classmethod
    def write(cls, form: StageForm, *, adding: bool = False) -> None:
        values = {name: getattr(form, name) for name in cls.COPIED}
        stage_field = form.form_type.stage_field
        values["stage_id"] = getattr(form, f"{stage_field}_id") if stage_field else None
        values["checked_in"] = getattr(form, "checked_in", False)
        code = form.form_type.code
        if adding or not cls.objects.filter(form_code=code, form_id=form.pk).update(**values):
            cls.objects.create(form_code=code, form_id=form.pk, **values)

    @classmethod
    def forget(cls, sender, instance, **kwargs) -> None:
        """A form deleted: its record goes (and its sign-offs with it)."""
        cls.objects.filter(form_code=instance.form_type.code, form_id=instance.pk).delete()


class Signoff(models.Model):
    """One signature on a form: a step of its approval chain, who decided, when and how."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("同意")
        RETURNED = "returned", _("退回")

    record = models.ForeignKey(FormRecord, on_delete=models.CASCADE, related_name="signoffs")
    step = models.CharField(_("审批环节"), max_length=32)
    decision = models.CharField(_("审批结果"), max_length=10, choices=Decision)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签字人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("签字日期"), auto_now_add=True)
    comment = models.TextField(_("意见"), blank=True)
    round = models.PositiveSmallIntegerField(default=1)
    # the signer's drawn signature as it was when they signed (accounts.DrawnSignature), or empty
    signature_png = models.BinaryField(blank=True, default=b"")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.record_id} {self.step} {self.decision}"


# Group 1 — phone invitation ---------------------------------------------------------------------


class CallLog(StageForm):
    """F01 电话记录表 (the header date is 联系日期)."""

    class Meta(StageForm.Meta):
        verbose_name = _("电话记录表")


class CallLogRow(FormRow):
    form = models.ForeignKey(CallLog, on_delete=models.CASCADE, related_name="rows")
    seq = models.PositiveSmallIntegerField(_("序号"))
    time = models.TimeField(_("时间"), null=True, blank=True)
    customer_name = char(_("客户名称"), 200)
    customer_code = char(_("编号"), 40)
    found_whom = char(_("找到谁"), 60)
    contact_method = char(_("联系方式"), 100)
    conversation = text(_("电话沟通内容"))
    follow_up = text(_("信息跟踪内容"))
    next_contact_on = date(_("计划下次联络时间"))
    promise = text(_("对客户的承诺"))
    work_to_do = text(_("需完成工作"))
    work_due_on = date(_("完成时间"))

    class Meta:
        ordering = ["seq", "pk"]


class CustomerEvaluation(StageForm):
    """F04 客户综合评估 (filled by 评价人): weighted indicators scored for the customer and one to compare."""

    compared_customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户2"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("可选:与本客户对比评估的另一客户。"),
    )

    class Meta(StageForm.Meta):
        verbose_name = _("客户综合评估")


class EvaluationIndicator(FormRow):
    form = models.ForeignKey(CustomerEvaluation, on_delete=models.CASCADE, related_name="indicators")
    group = char(_("评价指标类别"), 40)
    indicator = models.CharField(_("评价指标"), max_length=60)
    weight = weight()
    score_1 = models.PositiveSmallIntegerField(_("客户1"), validators=[MaxValueValidator(100)], help_text=_("0–100 分"))
    score_2 = models.PositiveSmallIntegerField(_("客户2"), null=True, blank=True, validators=[MaxValueValidator(100)])

    class Meta:
        ordering = ["pk"]


# Group 2 — on-site visit ------------------------------------------------------------------------


def _checkin_photo_as(instance: VisitCheckin, filename: str) -> str:
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"checkins/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class VisitCheckin(models.Model):
    """拜访签到: where and when a rep was, as their phone's browser said, when they checked in at a
    visit. The time is the server's; a refused or unavailable location is kept as such (the report
    is never held up by it), and counted as a typed visit, not a checked-in one."""

    class Outcome(models.TextChoices):
        LOCATED = "located", _("已定位")
        DENIED = "denied", _("未允许定位")
        UNAVAILABLE = "unavailable", _("无法定位")

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("签到人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("签到时间"), default=timezone.now)
    outcome = models.CharField(_("定位结果"), max_length=12, choices=Outcome)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    accuracy_m = models.PositiveIntegerField(_("精度(米)"), null=True, blank=True)
    # What the browser said when it gave no position (its error message), for whoever looks into it.
    detail = models.CharField(max_length=200, blank=True)
    photo = models.FileField(_("签到照片"), upload_to=_checkin_photo_as, max_length=200, blank=True)
    photo_type = models.CharField(max_length=100, blank=True)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("拜访签到")
        verbose_name_plural = _("拜访签到")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="located") | Q(latitude__isnull=False, longitude__isnull=False),
                name="located_checkin_has_a_position",
            )
        ]

    def __str__(self) -> str:
        return f"{self.by} {self.at:%Y-%m-%d %H:%M}"

    @property
    def located(self) -> bool:
        return self.outcome == self.Outcome.LOCATED

    @property
    def place(self) -> str:
        """31.230416°N 121.473701°E (±25 m)"""
        lat, lng = self.latitude, self.longitude
        if not self.located or lat is None or lng is None:
            return ""
        where = f"{abs(lat):.6f}°{'N' if lat >= 0 else 'S'} {abs(lng):.6f}°{'E' if lng >= 0 else 'W'}"
        return f"{where} (±{self.accuracy_m} m)" if self.accuracy_m is not None else where


class VisitReport(StageForm):
    """F05 客户拜访总结报告, filled for every visit at any stage (by the 大客户经理)."""

    checkin = models.OneToOneField(
        VisitCheckin,
        verbose_name=_("拜访签到"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report",
        editable=False,
    )

    visit_stage = models.ForeignKey(
        "pipeline.StageDefinition", verbose_name=_("拜访处在哪个阶段"), on_delete=models.PROTECT, related_name="+"
    )
    visitee = char(_("拜访对象"), 200)
    visited_at = models.DateTimeField(_("拜访时间"), null=True, blank=True)
    place = char(_("拜访地点"), 200)
    main_content = text(_("拜访主要内容"))
    expected_result = text(_("要达到什么样的结果"))
    companions = char(_("拜访陪同人"), 200)
    next_visit_at = models.DateTimeField(_("约定下次拜访时间"), null=True, blank=True)
    next_visit_place = char(_("约定下次拜访的地点"), 200)
    next_visit_purpose = text(_("下次拜访目的"))
    next_visit_plan = text(_("下次拜访主要计划"))
    next_actions = text(_("对此客户下一步拟采取行动计划"))

    class Meta(StageForm.Meta):
        verbose_name = _("客户拜访总结报告")

    @property
    def checked_in(self) -> bool:
        """A visit checked in at the customer with a location, not only typed."""
        return self.checkin is not None and self.checkin.located


class VisitFinding(FormRow):
    form = models.ForeignKey(VisitReport, on_delete=models.CASCADE, related_name="findings")
    key_factors = text(_("关键评估元素情况"))
    our_successes = text(_("我们的成功"))
    our_failures = text(_("我们的失败"))
    customer_suggestions = text(_("客户建议"))


class VisitCommitment(FormRow):
    form = models.ForeignKey(VisitReport, on_delete=models.CASCADE, related_name="commitments")
    promise = models.CharField(_("拜访中对客户的承诺"), max_length=200)
    feedback_on = models.DateField(_("反馈时间"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    action_plan = text(_("任务行动计划"))


class ResourceRequest(StageForm):
    """F06 资源支持申请表 (填表人): department head, then general manager, and the HR head approve."""

    class CustomerClass(models.TextChoices):
        A = "A", _("A类客户")
        B = "B", _("B类客户")
        C = "C", _("C类客户")
        D = "D", _("D类客户")

    class SupportForm(models.TextChoices):
        TRAVEL = "travel", _("出差")
        PROFESSIONAL = "professional", _("提供专业服务")
        OTHER = "other", _("其他")

    customer_class = models.CharField(_("客户分类"), max_length=1, choices=CustomerClass)
    support_needed = models.TextField(_("需何支援"))
    reason = text(_("支援原因"))
    support_period = char(_("支持时间"), 100)
    support_form = models.CharField(_("支持形式"), max_length=16, choices=SupportForm)
    requirements = text(_("有何要求"))
    expected_goal = text(_("预期目标"))
    # 资料附件: the form's attachments (attachments.Attachment), several files with a kind and caption

    class Meta(StageForm.Meta):
        verbose_name = _("资源支持申请表")


class MarketingActivity(StageForm, AuditBlock):
    """F07 营销活动表, per customer, with the audit block."""

    business_type = char(_("使用业务类型"), 100)
    started_using_on = date(_("开始使用时间"))
    business_volume = char(_("业务总量"), 100)
    cost_structure = text(_("费用构成"))
    usage_duration = char(_("使用时长"), 60)
    purchase_frequency = char(_("购买频率"), 60)
    primary_need = text(_("第一需求"))
    discount_policy = text(_("优惠政策"))
    new_product_inclination = text(_("对新产品的倾向"))
    our_quotation = text(_("公司报价情况"))
    our_evaluation = text(_("公司评价"))
    handled_by = char(_("业务承办人"), 60)
    introduced_by = char(_("业务介绍人"), 60)
    special_needs = text(_("特殊需求"))
    anomaly_info = text(_("异常信息"))
    anomaly_tracking = text(_("异常客户跟踪信息"))

    class Meta(StageForm.Meta):
        verbose_name = _("营销活动表")


class MarketingActivityRecord(FormRow):
    form = models.ForeignKey(MarketingActivity, on_delete=models.CASCADE, related_name="records")
    activity = models.CharField(_("营销活动记录"), max_length=200)
    cost = money(_("费用"))
    held_on = date(_("时间"))


class RelationshipAssessment(StageForm):
    """F10 建立客户关系评估分析图."""

    analysis = text(_("评估结果分析"))

    class Meta(StageForm.Meta):
        verbose_name = _("建立客户关系评估分析图")


class RelationshipAssessmentRow(FormRow):
    form = models.ForeignKey(RelationshipAssessment, on_delete=models.CASCADE, related_name="rows")
    decision_maker = models.ForeignKey(
        "contacts.Contact", verbose_name=_("项目决策人"), on_delete=models.PROTECT, related_name="+"
    )
    department = char(_("所属部门"), 60)
    role_in_project = char(_("对项目的作用"), 200)
    current_relationship = char(_("目前的关系"), 200)
    weight = weight(_("影响项目的比重(%)"))


class RelationshipPlan(StageForm):
    """F11 强化客户关系计划表 (groups 2 and 6: one form holds both column sets)."""

    class Meta(StageForm.Meta):
        verbose_name = _("强化客户关系计划表")


class RelationshipPlanRow(FormRow):
    form = models.ForeignKey(RelationshipPlan, on_delete=models.CASCADE, related_name="rows")
    role = models.CharField(_("与项目有关的角色/客户角色"), max_length=100)
    influence = char(_("推动的影响力"), 100)
    relation_before = char(_("和竞争同业间(之前)的关系"), 200)
    relation_developing = char(_("和竞争同业间发展的关系/竞争同业间的活动情况"), 200)
    department = char(_("所在客户的科室"), 60)
    our_owner = char(_("本公司对应的负责人员"), 60)
    measures = text(_("强化对策"))
    schedule = char(_("时间/时间表"), 100)
    check_measures = text(_("检查对策"))


# Group 3 — draft solution -----------------------------------------------------------------------


class InitialResearch(StageForm):
    """F12 初期调研报告 (by the 项目经理)."""

    place = char(_("地点"), 200)
    researched_on = date(_("调研日期"))
    contact_name = char(_("联系人"), 60)
    contact_phone = char(_("电话"), 40)
    contact_fax = char(_("传真"), 40)
    contact_email = models.EmailField(_("EMAIL"), blank=True)
    scope = text(_("调研范围"))
    goals = text(_("调研目标"))
    agenda = text(_("调研议程"))
    needs = text(_("需求特点及描述"))
    customer_concerns = text(_("客户关注点"))
    customer_suggestions = text(_("客户建议"))
    strengths = text(_("初步方案优势"))
    weaknesses = text(_("初步方案劣势"))
    improvements = text(_("改进措施"))
    remarks = text(_("备注"))

    class Meta(StageForm.Meta):
        verbose_name = _("初期调研报告")


class ResearchInterview(FormRow):
    form = models.ForeignKey(InitialResearch, on_delete=models.CASCADE, related_name="interviews")
    department = models.CharField(_("调研部门"), max_length=60)
    person = char(_("调研对象"), 60)
    title = char(_("职务"), 60)
    phone = char(_("电话"), 40)


class CustomerFeedback(StageForm):
    """F13 客户意见反馈表 (by the 大客户经理)."""

    focus = text(_("关注焦点"))
    pm_opinion = text(_("项目经理综合意见"))
    sales_director_opinion = text(_("销售总监意见"))
    technical_director_opinion = text(_("技术总监/项目总监意见"))

    class Meta(StageForm.Meta):
        verbose_name = _("客户意见反馈表")


class FeedbackRow(FormRow):
    form = models.ForeignKey(CustomerFeedback, on_delete=models.CASCADE, related_name="rows")
    visitor = models.CharField(_("拜访人"), max_length=60)
    department = char(_("部门"), 60)
    title = char(_("职务"), 60)
    influence = char(_("影响力"), 60)
    traits = char(_("个人特征"), 200)
    opinion = text(_("意见"))


# Group 4 — showcase -----------------------------------------------------------------------------


class ShowcasePlan(StageForm):
    """F14 业绩展示计划."""

    purpose = text(_("交流目的"))
    agenda = text(_("交流议程"))
    obstacles = text(_("存在的问题或障碍"))
    value_to_customer = text(_("给客户带来的价值"))
    possible_problems = text(_("可能存在的问题"))
    strengths = text(_("优势"))
    contingency = text(_("如出现问题该如何处理"))
    goals = text(_("交流达成目标"))

    class Meta(StageForm.Meta):
        verbose_name = _("业绩展示计划")


class ShowcaseCustomerAttendee(FormRow):
    form = models.ForeignKey(ShowcasePlan, on_delete=models.CASCADE, related_name="customer_attendees")
    name = models.CharField(_("姓名"), max_length=60)
    department = char(_("部门"), 60)
    title = char(_("职位"), 60)
    communication_style = char(_("沟通风格"), 100)
    management_style = char(_("管理风格"), 100)
    concerns = char(_("关心问题"), 200)


class ShowcaseOurAttendee(FormRow):
    form = models.ForeignKey(ShowcasePlan, on_delete=models.CASCADE, related_name="our_attendees")
    name = models.CharField(_("姓名"), max_length=60)
    department = char(_("部门"), 60)
    title = char(_("职位"), 60)
    role = char(_("承担角色"), 100)
    targets = char(_("针对关键人"), 100)
    issues = char(_("要解决的问题"), 200)


class ShowcaseSummary(StageForm):
    """F15 业绩展示总结 (by the 项目经理)."""

    held_on = date(_("交流时间"))
    place = char(_("交流地点"), 200)
    contact_name = char(_("联系人姓名"), 60)
    contact_position = char(_("部门与职位"), 100)
    contact_phone = char(_("电话号码"), 40)
    demonstration = text(_("方案演示"))
    department = char(_("所属部门"), 60)
    demo_result = text(_("演示情况"))
    resources = text(_("重要的资料、资源的协助"))
    improvements = text(_("改进措施"))
    suggestions = text(_("建议"))

    class Meta(StageForm.Meta):
        verbose_name = _("业绩展示总结")


class ShowcaseAspect(FormRow):
    form = models.ForeignKey(ShowcaseSummary, on_delete=models.CASCADE, related_name="aspects")
    aspect = models.CharField(_("方面"), max_length=100)
    our_suggestion = text(_("我方建议"))
    customer_suggestion = text(_("客户建议"))


class ShowcaseCompetitor(FormRow):
    form = models.ForeignKey(ShowcaseSummary, on_delete=models.CASCADE, related_name="competitors")
    competitor = models.CharField(_("竞争对手"), max_length=100)
    strengths = text(_("优势"))
    weaknesses = text(_("劣势"))


# Group 5 — solution design ----------------------------------------------------------------------


class SolutionSpec(StageForm):
    """F17 方案说明书 (the header date is 填写日期)."""

    background = text(_("背景介绍"))
    purpose = text(_("项目目的"))
    scope_and_deliverables = text(_("项目范围及工作成果"))
    work_plan = text(_("具体工作安排"))
    costs = text(_("费用说明"))
    payment_terms = text(_("付款方式"))
    after_sales = text(_("售后服务说明"))
    special_requirements = text(_("客户的一些特殊要求"))

    class Meta(StageForm.Meta):
        verbose_name = _("方案说明书")


# Group 6 — evaluation ---------------------------------------------------------------------------


class CompetitorAnalysis(StageForm):
    """F18 竞争对手分析表: weighted 1–5 scores for us and any number of competitors."""

    class Meta(StageForm.Meta):
        verbose_name = _("竞争对手分析表")


class Competitor(FormRow):
    form = models.ForeignKey(CompetitorAnalysis, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("竞争对手"), max_length=100)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class CompetitorIndicator(FormRow):
    form = models.ForeignKey(CompetitorAnalysis, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.CharField(_("评估指标"), max_length=60)
    weight = weight()
    our_score = models.PositiveSmallIntegerField(_("我们公司"), validators=SCORE_1_5)
    # {competitor id: score 1–5}; a competitor added later is scored on the next edit.
    competitor_scores = models.JSONField(_("竞争对手得分"), default=dict, blank=True)

    class Meta:
        ordering = ["pk"]


class InfluenceFactorAnalysis(StageForm):
    """F19 影响因素分析表."""

    class Meta(StageForm.Meta):
        verbose_name = _("影响因素分析表")


class InfluenceFactor(FormRow):
    form = models.ForeignKey(InfluenceFactorAnalysis, on_delete=models.CASCADE, related_name="factors")
    indicator = models.CharField(_("评估指标"), max_length=60)
    weight = weight()
    people = char(_("相关的部门及人员"), 200)
    improvability = char(_("改善可能性"), 100)
    strategy = text(_("策略与方法"))


# Group 7 — negotiation --------------------------------------------------------------------------


class KeyCriteria(StageForm):
    """F20 关键采购标准清单: 合计 must be 100%."""

    class Meta(StageForm.Meta):
        verbose_name = _("关键采购标准清单")


class KeyCriterion(FormRow):
    form = models.ForeignKey(KeyCriteria, on_delete=models.CASCADE, related_name="criteria")
    concern = models.CharField(_("关注点"), max_length=100)
    weight = weight()


class NegotiationPlan(StageForm):
    """F21 合作谈判计划书; 价格底限 is confidential."""

    goals = text(_("合作谈判目标"))
    schedule = text(_("合作谈判推进进度表"))
    contract_template = text(_("合同样本"))
    team_arrangement = text(_("项目经理及成员安排"))
    contract_scope = text(_("合同工作范围"))
    product_strategy = text(_("产品策略与产品配置"))
    pricing_strategy = text(_("总价和分价格策略"))
    discount_strategy = text(_("价格折让策略"))
    price_floor = money(_("价格底限"))
    payment_terms = text(_("付款方式"))
    penalties = text(_("处罚方式"))
    acceptance_criteria = text(_("阶段验收标准"))
    ip_terms = text(_("知识产权约定"))
    other = text(_("其他"))

    class Meta(StageForm.Meta):
        verbose_name = _("合作谈判计划书")


class NegotiationMember(FormRow):
    class Side(models.TextChoices):
        OURS = "ours", _("合作谈判小组成员")
        CUSTOMER = "customer", _("客户谈判成员")

    form = models.ForeignKey(NegotiationPlan, on_delete=models.CASCADE, related_name="members")
    side = models.CharField(_("所属方"), max_length=10, choices=Side)
    name = models.CharField(_("姓名"), max_length=60)
    title = char(_("职位"), 60)
    duty = char(_("职责"), 200)
    contact = char(_("联系方式"), 100)


class TermsDeviation(StageForm):
    """F22 商务条款偏离表 (the header date is 制定日期)."""

    account_manager_opinion = text(_("客户经理综合意见"))
    sales_supervisor_opinion = text(_("销售主管综合意见"))

    class Meta(StageForm.Meta):
        verbose_name = _("商务条款偏离表")


class TermsDeviationRow(FormRow):
    form = models.ForeignKey(TermsDeviation, on_delete=models.CASCADE, related_name="rows")
    seq = models.PositiveSmallIntegerField(_("序号"))
    tender_clause_no = char(_("招标文件条目号"), 40)
    tender_terms = text(_("招标文件的商务条款"))
    bid_terms = text(_("投标文件的商务条款"))
    note = text(_("说明"))

    class Meta:
        ordering = ["seq", "pk"]


class NegotiationRecord(StageForm):
    """F23 谈判记录表."""

    class Meta(StageForm.Meta):
        verbose_name = _("谈判记录表")


class NegotiationRound(FormRow):
    form = models.ForeignKey(NegotiationRecord, on_delete=models.CASCADE, related_name="rounds")
    round_no = models.PositiveSmallIntegerField(_("谈判次数"))
    lead = char(_("负责人"), 60)
    participants = char(_("参与人员"), 200)
    customer_negotiators = char(_("客户谈判人"), 200)
    held_on = models.DateField(_("日期"))
    results = text(_("主要成果"))
    clause_changes = text(_("条款修改意见"))
    change_owner = char(_("修改负责人"), 60)
    other = text(_("其他信息"))

    class Meta:
        ordering = ["round_no", "pk"]


class ContractReview(StageForm):
    """F24 合同评审记录: 审核 then 批准; bank and tax details are confidential."""

    contract_name = models.CharField(_("合同名称"), max_length=200)
    contract_number = char(_("合同编号"), 60)
    vat_number = char(_("增值税号"), 40)
    invoice_address = char(_("增值税发票地址"), 255)
    bank_name = char(_("开户行名称"), 100)
    bank_account = char(_("账号"), 60)
    tax_phone = char(_("税务登记电话"), 40)
    commercial_terms = text(_("商务条款"))
    overall_opinion = text(_("综合意见"))
    execution = text(_("项目执行"))

    class Meta(StageForm.Meta):
        verbose_name = _("合同评审记录")


class ContractReviewer(FormRow):
    form = models.ForeignKey(ContractReview, on_delete=models.CASCADE, related_name="reviewers")
    name = models.CharField(_("姓名"), max_length=60)
    title = char(_("职位"), 60)
    department = char(_("所属部门"), 60)
    result = text(_("评审结果"))


# Group 8 — signing ------------------------------------------------------------------------------


class Handover(StageForm):
    """F25 售前与工程实施交接单: signed by the sales manager, the engineer and the project manager."""

    contract_name = models.CharField(_("合同名称"), max_length=200)
    contract_number = char(_("合同编号"), 60)
    handover_on = date(_("交接日期"))
    product_scope = text(_("购买产品范围"))
    function_scope = text(_("产品功能范围"))
    standard_price = money(_("产品标准报价"))
    implementation_budget = money(_("实施划拨费用"))
    implementation_start = date(_("实施开始日期"))
    implementation_end = date(_("实施结束日期"))
    training = text(_("培训情况"))
    engineering_scope = text(_("工程实施范围"))
    implementation_goals = text(_("实施内容及目标"))
    key_commitments = text(_("主要客户承诺"))
    remarks = text(_("备注"))

    class Meta(StageForm.Meta):
        verbose_name = _("售前与工程实施交接单")
        constraints = [
            models.CheckConstraint(
                condition=Q(implementation_start__isnull=True)
                | Q(implementation_end__isnull=True)
                | Q(implementation_start__lte=models.F("implementation_end")),
                name="handover_starts_before_it_ends",
                violation_error_message=_("实施开始日期不能晚于结束日期。"),
            )
        ]

    def clean(self) -> None:
        super().clean()
        start, end = self.implementation_start, self.implementation_end
        if start and end and start > end:
            raise ValidationError({"implementation_end": _("实施结束日期不能早于开始日期。")})


class AbnormalCustomer(StageForm, AuditBlock):
    """F26 异常客户信息表, per customer, with the audit block."""

    class Kind(models.TextChoices):
        SPENDING = "spending", _("过高/过低消费")
        BEHAVIOUR = "behaviour", _("行为变化异常")
        LOW_CREDIT = "low_credit", _("信用度很低")
        CHURN = "churn", _("客户流失")

    business_type = char(_("业务类型"), 100)
    kind = models.CharField(_("异常产生类型"), max_length=12, choices=Kind)
    tracking = text(_("异常客户跟踪"))
    confirmed_normal = models.BooleanField(_("正常确认"), default=False)

    class Meta(StageForm.Meta):
        verbose_name = _("异常客户信息表")
