"""The 21 paper forms this app brings (F02, F03, F16 live in customers/contacts; F08, F09 in pipeline)."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import RowForm
from core.typing import Label
from forms_toolkit import models as m
from forms_toolkit.forms import VisitReportForm
from forms_toolkit.registry import (
    ApprovalStep,
    FormType,
    Inline,
    _has_project_role,
    _is_director,
    _is_team_manager,
    f04_grade,
    registry,
)
from pipeline import catalog_cache
from pipeline.models import Task
from pipeline.services import TaskSpec

F04_INDICATORS = [
    ("行业因素", ["行业成熟度", "行业利润", "竞争状况"]),
    ("生命周期", ["历史", "生命周期阶段"]),
    ("规模状况", ["区域跨度", "分支机构", "行业地位"]),
    ("组织因素", ["组织结构", "部门机构", "权力结构", "决策人员"]),
    ("发展目标", ["长期目标", "短期目标", "业务目标"]),
    ("经营状况", ["盈利状况", "技术状况", "客户", "供应商", "业务范围", "产品服务", "关键问题"]),
    ("客户关系", ["业务交往", "成员交往"]),
]
F18_INDICATORS = ["产品质量", "效果", "价格"]
F19_INDICATORS = ["产品质量", "服务及时性", "价格", "客户关系", "技术指标", "其它"]


def _q(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


def f04_results(form) -> list[tuple[Label, str]]:
    rows = list(form.indicators.all())
    total_1 = sum((r.weight * r.score_1 / 100 for r in rows), Decimal("0"))
    out: list[tuple[Label, str]] = [(_("综合评价(客户1)"), _q(total_1)), (_("级别(客户1)"), f04_grade(total_1))]
    if form.compared_customer_id and any(r.score_2 is not None for r in rows):
        total_2 = sum((r.weight * (r.score_2 or 0) / 100 for r in rows), Decimal("0"))
        out += [(_("综合评价(客户2)"), _q(total_2)), (_("级别(客户2)"), f04_grade(total_2))]
    return out


def f18_scores(form) -> tuple[Decimal, list[tuple[str, Decimal]]]:
    """Our weighted score and each competitor's, on the 1–5 scale."""
    indicators = list(form.indicators.all())
    ours = sum((i.weight * i.our_score / 100 for i in indicators), Decimal("0"))
    theirs = []
    for competitor in form.competitors.all():
        score = sum(
            (i.weight * Decimal(i.competitor_scores.get(str(competitor.pk), 0)) / 100 for i in indicators),
            Decimal("0"),
        )
        theirs.append((competitor.name, score))
    return ours, theirs


def f18_results(form) -> list[tuple[Label, str]]:
    ours, theirs = f18_scores(form)
    out: list[tuple[Label, str]] = [(_("我们公司加权得分"), _q(ours))]
    for name, score in theirs:
        gap = ours - score
        out.append(
            (
                _("%(name)s 加权得分") % {"name": name},
                _("%(score)s(我方差距 %(gap)s)") % {"score": _q(score), "gap": f"{'+' if gap >= 0 else ''}{_q(gap)}"},
            )
        )
    return out


def f20_results(form) -> list[tuple[Label, str]]:
    return [(_("合计"), f"{_q(sum((c.weight for c in form.criteria.all()), Decimal('0')))}%")]


def _in_a_week() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=7)


def f01_tasks(form) -> list[TaskSpec]:
    """Each call's next contact, and each promise made on it, as the filler's dated tasks."""
    specs = []
    for row in form.rows.all():
        if row.next_contact_on:
            who = row.found_whom or row.customer_name or form.customer.name
            specs.append(
                TaskSpec(
                    key=f"row:{row.pk}:next",
                    kind=Task.Kind.NEXT_CONTACT,
                    title=_("联络 %(who)s") % {"who": who},
                    owner=form.filled_by,
                    due_date=row.next_contact_on,
                )
            )
        if row.promise:
            specs.append(
                TaskSpec(
                    key=f"row:{row.pk}:promise",
                    kind=Task.Kind.PROMISE,
                    title=row.promise,
                    owner=form.filled_by,
                    due_date=row.work_due_on or row.next_contact_on or _in_a_week(),
                )
            )
    return specs


def f05_tasks(form) -> list[TaskSpec]:
    """Each promise made on the visit, for its 责任人; the agreed next visit, for the filler."""
    specs = [
        TaskSpec(
            key=f"commitment:{c.pk}",
            kind=Task.Kind.PROMISE,
            title=c.promise,
            owner=c.responsible,
            due_date=c.feedback_on,
        )
        for c in form.commitments.select_related("responsible")
    ]
    if form.next_visit_at:
        specs.append(
            TaskSpec(
                key="next-visit",
                kind=Task.Kind.NEXT_CONTACT,
                title=_("拜访 %(who)s") % {"who": form.visitee or form.customer.name},
                owner=form.filled_by,
                due_date=timezone.localtime(form.next_visit_at).date(),
            )
        )
    return specs


def _contacts_of_customer(form):
    return {"decision_maker": form.customer.contacts.order_by("name")}


registry.register(
    FormType(
        code="F01",
        title=_("电话记录表"),
        model=m.CallLog,
        stages=(1,),
        date_label=_("联系日期"),
        sections=[],
        inlines=[
            Inline(
                m.CallLogRow,
                [
                    "seq",
                    "time",
                    "customer_name",
                    "customer_code",
                    "found_whom",
                    "contact_method",
                    "conversation",
                    "follow_up",
                    "next_contact_on",
                    "promise",
                    "work_to_do",
                    "work_due_on",
                ],
                _("电话记录"),
                min_rows=1,
                widgets={"time": forms.TimeInput(attrs={"type": "time"})},
                numbered="seq",
                row_defaults=lambda form: {"customer_name": form.customer.name, "customer_code": form.customer.code},
            )
        ],
        tasks=f01_tasks,
    )
)
registry.register(
    FormType(
        code="F04",
        title=_("客户综合评估"),
        model=m.CustomerEvaluation,
        stages=(1,),
        level="customer",
        filler_label=_("评价人"),
        sections=[(_("对比客户"), ["compared_customer"])],
        inlines=[
            Inline(
                m.EvaluationIndicator,
                ["group", "indicator", "weight", "score_1", "score_2"],
                _("评价指标"),
                min_rows=1,
                weighted="weight",
                initial=lambda: [
                    {"group": g, "indicator": i, "weight": None} for g, items in F04_INDICATORS for i in items
                ],
                prompts=True,
            )
        ],
        results=f04_results,
    )
)
registry.register(
    FormType(
        code="F05",
        title=_("客户拜访总结报告"),
        model=m.VisitReport,
        stages=(),
        stage_field="visit_stage",
        options={"visit_stage": lambda: [(s.pk, s.display_visit_label) for s in catalog_cache.stages()]},
        filler_label=_("大客户经理"),
        sections=[
            (_("拜访安排"), ["visit_stage", "visitee", "visited_at", "place", "companions"]),
            (_("拜访内容"), ["main_content", "expected_result"]),
            (
                _("下次拜访"),
                ["next_visit_at", "next_visit_place", "next_visit_purpose", "next_visit_plan", "next_actions"],
            ),
        ],
        inlines=[
            Inline(
                m.VisitFinding,
                ["key_factors", "our_successes", "our_failures", "customer_suggestions"],
                _("拜访实际情况"),
            ),
            Inline(
                m.VisitCommitment, ["promise", "feedback_on", "responsible", "action_plan"], _("拜访中对客户的承诺")
            ),
        ],
        tasks=f05_tasks,
        form_base=VisitReportForm,
        script="js/checkin.js",
    )
)
registry.register(
    FormType(
        code="F06",
        title=_("资源支持申请表"),
        model=m.ResourceRequest,
        stages=(2,),
        filler_label=_("填表人"),
        sections=[
            (
                _("申请"),
                [
                    "customer_class",
                    "support_needed",
                    "reason",
                    "support_period",
                    "support_form",
                    "requirements",
                    "expected_goal",
                ],
            )
        ],
        approval_steps=(
            ApprovalStep("department_head", _("所属部门领导审核"), _is_team_manager),
            ApprovalStep("general_manager", _("总经理审核"), _is_director),
            ApprovalStep("hr_head", _("人力资源管理部门领导"), _is_director),
        ),
    )
)
registry.register(
    FormType(
        code="F07",
        title=_("营销活动表"),
        model=m.MarketingActivity,
        stages=(2,),
        level="customer",
        customer_labels=(_("企业名称"), _("企业标识/编号")),
        sections=[
            (
                _("业务情况"),
                [
                    "business_type",
                    "started_using_on",
                    "business_volume",
                    "cost_structure",
                    "usage_duration",
                    "purchase_frequency",
                    "primary_need",
                    "discount_policy",
                    "new_product_inclination",
                ],
            ),
            (_("公司与客户"), ["our_quotation", "our_evaluation", "handled_by", "introduced_by", "special_needs"]),
            (_("异常"), ["anomaly_info", "anomaly_tracking"]),
            (_("信息登记"), ["collected_by"]),
        ],
        inlines=[Inline(m.MarketingActivityRecord, ["activity", "cost", "held_on"], _("营销活动记录、费用、时间"))],
    )
)
registry.register(
    FormType(
        code="F10",
        title=_("建立客户关系评估分析图"),
        model=m.RelationshipAssessment,
        stages=(2,),
        sections=[(_("评估结果分析"), ["analysis"])],
        inlines=[
            Inline(
                m.RelationshipAssessmentRow,
                ["decision_maker", "department", "role_in_project", "current_relationship", "weight"],
                _("项目决策人"),
                min_rows=1,
                weighted="weight",
                queryset=_contacts_of_customer,
            )
        ],
    )
)
registry.register(
    FormType(
        code="F11",
        title=_("强化客户关系计划表"),
        model=m.RelationshipPlan,
        stages=(2, 6),
        sections=[],
        inlines=[
            Inline(
                m.RelationshipPlanRow,
                [
                    "role",
                    "influence",
                    "relation_before",
                    "relation_developing",
                    "department",
                    "our_owner",
                    "measures",
                    "schedule",
                    "check_measures",
                ],
                _("强化客户关系计划"),
                min_rows=1,
            )
        ],
    )
)
registry.register(
    FormType(
        code="F12",
        title=_("初期调研报告"),
        model=m.InitialResearch,
        stages=(3,),
        filler_label=_("项目经理"),
        sections=[
            (
                _("基本信息"),
                ["place", "researched_on", "contact_name", "contact_phone", "contact_fax", "contact_email"],
            ),
            (_("调研"), ["scope", "goals", "agenda", "needs", "customer_concerns", "customer_suggestions"]),
            (_("初步方案"), ["strengths", "weaknesses", "improvements", "remarks"]),
        ],
        inlines=[Inline(m.ResearchInterview, ["department", "person", "title", "phone"], _("调研对象"))],
    )
)
registry.register(
    FormType(
        code="F13",
        title=_("客户意见反馈表"),
        model=m.CustomerFeedback,
        stages=(3,),
        filler_label=_("大客户经理"),
        sections=[(_("意见"), ["focus", "pm_opinion", "sales_director_opinion", "technical_director_opinion"])],
        inlines=[
            Inline(
                m.FeedbackRow,
                ["visitor", "department", "title", "influence", "traits", "opinion"],
                _("意见反馈人情况"),
                min_rows=1,
            )
        ],
    )
)
registry.register(
    FormType(
        code="F14",
        title=_("业绩展示计划"),
        model=m.ShowcasePlan,
        stages=(4,),
        sections=[
            (
                _("交流"),
                [
                    "purpose",
                    "agenda",
                    "obstacles",
                    "value_to_customer",
                    "possible_problems",
                    "strengths",
                    "contingency",
                    "goals",
                ],
            )
        ],
        inlines=[
            Inline(
                m.ShowcaseCustomerAttendee,
                ["name", "department", "title", "communication_style", "management_style", "concerns"],
                _("客户参加业绩展示关键人员"),
            ),
            Inline(
                m.ShowcaseOurAttendee,
                ["name", "department", "title", "role", "targets", "issues"],
                _("公司参加业绩展示关键人员"),
            ),
        ],
    )
)
registry.register(
    FormType(
        code="F15",
        title=_("业绩展示总结"),
        model=m.ShowcaseSummary,
        stages=(4,),
        filler_label=_("项目经理"),
        sections=[
            (_("交流"), ["held_on", "place", "contact_name", "contact_position", "contact_phone"]),
            (_("方案演示"), ["demonstration", "department", "demo_result", "resources"]),
            (_("改进"), ["improvements", "suggestions"]),
        ],
        inlines=[
            Inline(m.ShowcaseAspect, ["aspect", "our_suggestion", "customer_suggestion"], _("方面")),
            Inline(m.ShowcaseCompetitor, ["competitor", "strengths", "weaknesses"], _("竞争对手的详细情况")),
        ],
    )
)
registry.register(
    FormType(
        code="F17",
        title=_("方案说明书"),
        model=m.SolutionSpec,
        stages=(5,),
        date_label=_("填写日期"),
        sections=[
            (
                _("方案"),
                [
                    "background",
                    "purpose",
                    "scope_and_deliverables",
                    "work_plan",
                    "costs",
                    "payment_terms",
                    "after_sales",
                    "special_requirements",
                ],
            )
        ],
    )
)


class CompetitorIndicatorForm(RowForm):
    """An indicator row with a 1–5 score field for each competitor named on the form.

    A competitor's score field is named by its row on the page (``cscore_2``: the third row of the
    competitors table), so the page can add a column the moment a competitor is added, and a
    competitor removed or renamed takes nothing else with it.
    """

    def __init__(self, *args, competitor_columns=(), **kwargs):
        super().__init__(*args, **kwargs)
        scores = self.instance.competitor_scores or {}
        for index, pk, label in competitor_columns:
            self.fields[f"cscore_{index}"] = forms.IntegerField(
                label=label,
                min_value=1,
                max_value=5,
                required=False,
                initial=scores.get(str(pk)) if pk else None,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
            )

    def clean(self):
        data = super().clean()
        if self.has_changed() and not data.get("DELETE"):
            for name in [n for n in self.fields if n.startswith("cscore_")]:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("请为每个竞争对手打分(1-5)。"))
        return data


MAX_COMPETITORS = 50


def f18_columns(competitors) -> list[tuple[int, int | None, str]]:
    """(row on the page, saved id or None, name) of each competitor the form names, in the table's order."""
    if competitors.is_bound:
        prefix, data = competitors.prefix, competitors.data
        total = data.get(f"{prefix}-TOTAL_FORMS") or "0"
        rows = range(min(int(total), MAX_COMPETITORS) if total.isdigit() else 0)
        columns = []
        for i in rows:
            name = (data.get(f"{prefix}-{i}-name") or "").strip()
            if name and not data.get(f"{prefix}-{i}-DELETE"):
                pk = data.get(f"{prefix}-{i}-id") or ""
                columns.append((i, int(pk) if pk.isdigit() else None, name))
        return columns
    if competitors.instance.pk:
        return [(i, c.pk, c.name) for i, c in enumerate(competitors.instance.competitors.all())]
    return [(i, None, row["name"]) for i, row in enumerate(competitors.initial_extra or [])]


def f18_bind(formsets) -> None:
    """Tell the indicator rows which competitors the form names, each by its row on the page."""
    columns = f18_columns(formsets["competitors"])
    indicators = formsets["indicators"]
    indicators.form_kwargs = {**indicators.form_kwargs, "competitor_columns": columns}


def f18_after_save(form, formsets) -> None:
    if not formsets:
        return
    saved = {
        i: f.instance
        for i, f in enumerate(formsets["competitors"].forms)
        if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("name")
    }
    for row in formsets["indicators"].forms:
        if not row.cleaned_data or row.cleaned_data.get("DELETE") or row.instance.pk is None:
            continue
        row.instance.competitor_scores = {
            str(competitor.pk): row.cleaned_data[f"cscore_{i}"]
            for i, competitor in saved.items()
            if row.cleaned_data.get(f"cscore_{i}") is not None
        }
        row.instance.save(update_fields=["competitor_scores"])


registry.register(
    FormType(
        code="F18",
        title=_("竞争对手分析表"),
        model=m.CompetitorAnalysis,
        stages=(6,),
        sections=[],
        inlines=[
            Inline(
                m.Competitor,
                ["name"],
                _("竞争对手"),
                min_rows=1,
                initial=lambda: [{"name": "A竞争对手"}, {"name": "B竞争对手"}],
            ),
            Inline(
                m.CompetitorIndicator,
                ["indicator", "weight", "our_score"],
                _("评估指标(标准 1-5)"),
                min_rows=1,
                weighted="weight",
                initial=lambda: [{"indicator": i} for i in F18_INDICATORS],
                prompts=True,
                form=CompetitorIndicatorForm,
            ),
        ],
        results=f18_results,
        bind_formsets=f18_bind,
        after_save=f18_after_save,
        script="js/competitors.js",
    )
)
registry.register(
    FormType(
        code="F19",
        title=_("影响因素分析表"),
        model=m.InfluenceFactorAnalysis,
        stages=(6,),
        sections=[],
        inlines=[
            Inline(
                m.InfluenceFactor,
                ["indicator", "weight", "people", "improvability", "strategy"],
                _("评估指标"),
                min_rows=1,
                weighted="weight",
                initial=lambda: [{"indicator": i} for i in F19_INDICATORS],
                prompts=True,
            )
        ],
    )
)
registry.register(
    FormType(
        code="F20",
        title=_("关键采购标准清单"),
        model=m.KeyCriteria,
        stages=(7,),
        sections=[],
        inlines=[Inline(m.KeyCriterion, ["concern", "weight"], _("关注点"), min_rows=1, weighted="weight")],
        results=f20_results,
    )
)
registry.register(
    FormType(
        code="F21",
        title=_("合作谈判计划书"),
        model=m.NegotiationPlan,
        stages=(7,),
        sections=[
            (_("目标与进度"), ["goals", "schedule"]),
            (
                _("合作谈判计划"),
                [
                    "contract_template",
                    "team_arrangement",
                    "contract_scope",
                    "product_strategy",
                    "pricing_strategy",
                    "discount_strategy",
                    "price_floor",
                    "payment_terms",
                    "penalties",
                    "acceptance_criteria",
                    "ip_terms",
                    "other",
                ],
            ),
        ],
        inlines=[
            Inline(
                m.NegotiationMember,
                ["side", "name", "title", "duty", "contact"],
                _("合作谈判小组成员 / 客户谈判成员"),
                printed_apart_by="side",
            )
        ],
        sensitive_fields=("price_floor",),
    )
)
registry.register(
    FormType(
        code="F22",
        title=_("商务条款偏离表"),
        model=m.TermsDeviation,
        stages=(7,),
        date_label=_("制定日期"),
        sections=[(_("意见"), ["account_manager_opinion", "sales_supervisor_opinion"])],
        inlines=[
            Inline(
                m.TermsDeviationRow,
                ["seq", "tender_clause_no", "tender_terms", "bid_terms", "note"],
                _("商务条款偏离"),
                min_rows=1,
                numbered="seq",
            )
        ],
    )
)
registry.register(
    FormType(
        code="F23",
        title=_("谈判记录表"),
        model=m.NegotiationRecord,
        stages=(7,),
        sections=[],
        inlines=[
            Inline(
                m.NegotiationRound,
                [
                    "round_no",
                    "lead",
                    "participants",
                    "customer_negotiators",
                    "held_on",
                    "results",
                    "clause_changes",
                    "change_owner",
                    "other",
                ],
                _("谈判记录"),
                min_rows=1,
                numbered="round_no",
            )
        ],
    )
)
registry.register(
    FormType(
        code="F24",
        title=_("合同评审记录"),
        model=m.ContractReview,
        stages=(7, 8),
        sections=[
            (_("合同"), ["contract_name", "contract_number"]),
            (_("开票与账户"), ["vat_number", "invoice_address", "bank_name", "bank_account", "tax_phone"]),
            (_("审核总结"), ["commercial_terms", "overall_opinion", "execution"]),
        ],
        inlines=[Inline(m.ContractReviewer, ["name", "title", "department", "result"], _("参加评审人员"), min_rows=1)],
        approval_steps=(
            ApprovalStep("review", _("审核"), _is_team_manager),
            ApprovalStep("approve", _("批准"), _is_director),
        ),
        sensitive_fields=("vat_number", "invoice_address", "bank_name", "bank_account", "tax_phone"),
    )
)
registry.register(
    FormType(
        code="F25",
        title=_("售前与工程实施交接单"),
        model=m.Handover,
        stages=(8,),
        sections=[
            (_("合同"), ["contract_name", "contract_number", "handover_on"]),
            (_("产品与费用"), ["product_scope", "function_scope", "standard_price", "implementation_budget"]),
            (
                _("实施"),
                [
                    "implementation_start",
                    "implementation_end",
                    "training",
                    "engineering_scope",
                    "implementation_goals",
                    "key_commitments",
                    "remarks",
                ],
            ),
        ],
        pairs=((_("实施开始日期及结束日期"), "implementation_start", "implementation_end", _("至")),),
        approval_steps=(
            ApprovalStep("sales_manager", _("销售经理"), _is_team_manager),
            ApprovalStep("engineer", _("技术工程师"), _has_project_role("engineer")),
            ApprovalStep("project_manager", _("项目经理(生产经理)"), _has_project_role("project_manager")),
        ),
    )
)
registry.register(
    FormType(
        code="F26",
        title=_("异常客户信息表"),
        model=m.AbnormalCustomer,
        stages=(8,),
        level="customer",
        customer_labels=(_("企业名称"), _("企业标识/编号")),
        sections=[
            (_("异常"), ["business_type", "kind", "tracking", "confirmed_normal"]),
            (_("信息登记"), ["collected_by"]),
        ],
    )
)
