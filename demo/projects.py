"""Demo projects at every stage of both tracks, moved through the real services, then dated into the past."""

import datetime
from decimal import Decimal

from django.utils import timezone

from contacts.models import Contact
from customers.models import Customer
from demo.forms import demo_stage_form
from pipeline import services
from pipeline.models import (
    BuyingCenterMember,
    ConditionCheck,
    CustomerStageObservation,
    ProcurementStep,
    Project,
    ProjectMember,
    StageChange,
    StageCondition,
    StageDefinition,
    Task,
)

# customer code, project name, amount (CNY unless a currency is given), our stage, customer stage,
# outcome ("open", "won", "lost"), started days ago, closes in days (negative: in the past)
PROJECTS = [
    ("JN-HM-0001", "临港基地 2 号车间桥式起重机改造", "8600000", 6, 6, "open", 160, 45),
    ("JN-HM-0001", "盾构机主轴承状态监测系统", "2350000", 3, 2, "open", 70, 120),
    ("JN-HM-0001", "大型钢结构焊接机器人工作站", "5200000", 8, 8, "won", 300, -20),
    ("HD-PW-0002", "2×1000MW 机组 DCS 控制系统升级", "12800000", 4, 5, "open", 130, 75),
    ("HD-PW-0002", "输煤皮带智能巡检机器人", "1650000", 2, 2, "open", 25, 150),
    ("LT-AV-0003", "复合材料热压罐自动化生产线", "23000000", 7, 7, "open", 240, 30),
    ("LT-AV-0003", "数控加工中心刀具管理系统", "980000", 5, 3, "open", 90, 60),
    ("SZ-EL-0004", "开关柜装配线 MES 实施", "3100000", 1, 1, "open", 10, 200),
    ("DF-TC-0005", "杭州滨江数据中心精密空调", "4700000", 8, 7, "open", 200, 15),
    ("DF-TC-0005", "机房 UPS 电源扩容", "1200000", 3, 3, "lost", 180, -40),
    ("BF-HE-0101", "冶金成套设备液压系统改造", "15600000", 5, 5, "open", 150, 90),
    ("BF-HE-0101", "矿山破碎机远程运维平台", "2800000", 8, 8, "won", 260, -60),
    ("TJ-AV-0102", "发动机孔探检测设备", "1900000", 2, 3, "open", 45, 100),
    ("HB-PW-0103", "锅炉脱硝系统优化", "6400000", 6, 4, "open", 120, 50),
    ("BJ-IT-0104", "工业互联网平台边缘网关", "760000", 1, 2, "open", 20, 180),
    ("SX-GV-0105", "省级公共资源交易平台硬件集采", "9300000", 4, 4, "open", 100, 80),
]


def load_projects(*, users) -> int:
    created = 0
    stages = {s.number: s for s in StageDefinition.objects.all()}
    for i, (code, name, amount, stage_no, customer_stage_no, outcome, started, closes) in enumerate(PROJECTS):
        customer = Customer.objects.get(code=code)
        if Project.objects.filter(customer=customer, name=name).exists():
            continue
        created += 1
        owner = customer.owner
        manager = users["manager"] if owner.team_id == users["manager"].team_id else users["manager2"]
        start = timezone.now() - datetime.timedelta(days=started)
        project = services.project_create(
            project=Project(
                customer=customer,
                name=name,
                owner=owner,
                amount=Decimal(amount),
                expected_close_date=timezone.localdate() + datetime.timedelta(days=max(closes, 1)),
                description=f"{customer.short_name}:{name}。",
            ),
            by=owner,
        )
        contacts = list(customer.contacts.order_by("pk"))
        _fill_maps(project, contacts, i)
        engineer = users["zhaolei"] if owner.team_id == users["zhaolei"].team_id else users["sunli"]
        if engineer != owner:
            ProjectMember.objects.get_or_create(
                project=project, user=engineer, defaults={"role": ProjectMember.Role.ENGINEER}
            )
        final = stage_no + 1 if outcome == "won" else stage_no
        for number in range(1, final):
            # Older stages' paperwork has been signed off; the last stage's still waits in the queue.
            _paperwork_for(project, number, owner, manager, users["director"], settled=number < final - 1)
        for number in range(1, stage_no):
            for condition in StageCondition.objects.filter(stage__number=number, kind="checklist"):
                # Leave one gap on some projects so the override shows up in the demo.
                if i % 5 == 0 and number == stage_no - 1 and condition.order == 1:
                    continue
                ConditionCheck.objects.get_or_create(project=project, condition=condition, defaults={"by": owner})
            gate_open = i % 5 != 0 or number != stage_no - 1
            services.project_advance_stage(
                project=project,
                to_stage=stages[number + 1],
                by=owner if gate_open else manager,
                override_reason="" if gate_open else "客户高层已口头确认,书面材料下周补齐。",
            )
        if customer_stage_no != 1:
            services.project_observe_customer_stage(
                project=project, stage=stages[customer_stage_no], by=owner, note="拜访时了解到客户内部进展。"
            )
        if outcome == "won":
            for condition in StageCondition.objects.filter(stage__number=8, kind="checklist"):
                ConditionCheck.objects.get_or_create(project=project, condition=condition, defaults={"by": owner})
            services.project_close(
                project=project,
                outcome=Project.Status.WON,
                by=owner,
                note="合同已签署,进入实施。",
                success_story="早期介入客户需求酝酿,帮助客户确定技术标准;业绩展示安排客户参观同类项目现场,打消了使用部门的顾虑。",
            )
        elif outcome == "lost":
            services.project_close(
                project=project,
                outcome=Project.Status.LOST,
                by=owner,
                lost_reason=Project.LostReason.PRICE,
                note="客户最终选择了报价低 18% 的竞争对手。",
            )
        if outcome == "open":
            # Paperwork in every state for the current stage: a returned visit report, a draft, one awaiting approval.
            if i % 4 == 0:
                demo_stage_form("F05", project=project, by=owner, status="returned", approver=manager)
            elif i % 4 == 1:
                demo_stage_form("F05", project=project, by=owner, status="draft")
            elif i % 4 == 2 and stage_no >= 6:
                demo_stage_form("F19", project=project, by=owner, status="submitted")
            else:
                demo_stage_form("F11", project=project, by=owner, status="submitted")
        if outcome == "open" and i % 3 == 0:
            services.task_create(
                customer=customer,
                project=project,
                kind=Task.Kind.PROMISE,
                title="向客户提供同类项目业绩清单",
                owner=owner,
                by=owner,
                due_date=timezone.localdate() - datetime.timedelta(days=i % 4),
            )
        _backdate(project, start, closes)
    return created


def _paperwork_for(project, number, owner, manager, director, *, settled: bool) -> None:
    """The forms a stage's conditions ask for, submitted or approved as the condition needs."""
    conditions = StageCondition.objects.filter(
        stage__number=number, is_active=True, kind__in=["form_submitted", "form_approved"]
    )
    for condition in conditions:
        demo_stage_form(
            condition.form_type,
            project=project,
            by=owner,
            approver=manager,
            director=director,
            status="approved" if condition.kind == "form_approved" else "submitted",
        )


def _fill_maps(project, contacts: list[Contact], i: int) -> None:
    B = BuyingCenterMember
    roles = [B.Role.DECISION_MAKER, B.Role.EVALUATOR, B.Role.INITIATOR, B.Role.USER, B.Role.DESIGNER]
    departments = [B.Department.PURCHASING, B.Department.TECHNICAL, B.Department.USER, B.Department.FINANCE]
    attitudes = [B.Attitude.SUPPORTER, B.Attitude.NEUTRAL, B.Attitude.OPPONENT]
    closeness = [B.Closeness.CLOSE, B.Closeness.FREQUENT, B.Closeness.DISTANT, B.Closeness.NONE]
    for j, contact in enumerate(contacts[: 2 + i % 4]):
        B.objects.create(
            project=project,
            contact=contact,
            level=B.Level.DECISION if j == 0 else (B.Level.MANAGEMENT if j < 3 else B.Level.OPERATIONAL),
            department=departments[(i + j) % 4],
            role=roles[j % 5],
            attitude=attitudes[(i + j) % 3],
            closeness=closeness[(i * 2 + j) % 4],
        )
    steps = [
        ("提出需求并立项申请", "需求与预算"),
        ("技术部门编制技术规格书", "技术指标、行业标准"),
        ("采购部组织招标与初步筛选", "价格、资质、业绩"),
        ("总经理办公会决策", "综合性价比、风险"),
    ]
    for n, (process, considerations) in enumerate(steps[: 1 + i % 4], start=1):
        ProcurementStep.objects.create(
            project=project,
            step=n,
            process=process,
            responsible=contacts[min(n - 1, len(contacts) - 1)],
            considerations=considerations,
        )
    services.project_maps_saved(project=project)


def _backdate(project: Project, start: datetime.datetime, closes: int) -> None:
    """Spread the project's moves between its start and now, as if it had been worked for months."""
    changes = list(project.stage_changes.order_by("at", "pk"))
    span = timezone.now() - start
    times = [start + span * (k / max(len(changes), 1)) for k in range(len(changes))]
    for k, change in enumerate(changes):
        left = times[k + 1] if k + 1 < len(times) and change.kind in StageChange.STAY_KINDS else None
        StageChange.objects.filter(pk=change.pk).update(
            at=times[k], left_at=left, days=(left - times[k]).days if left else None
        )
    last = times[-1]
    # Some projects have gone quiet for a while: the no-activity anomaly has something to show.
    quiet_days = (len(changes) * 7) % 24
    updates: dict[str, object] = {
        "stage_entered_at": last,
        "created_at": start,
        "last_activity_at": max(last, timezone.now() - datetime.timedelta(days=quiet_days)),
    }
    if not project.is_open:
        updates["closed_at"] = last
        updates["expected_close_date"] = (timezone.now() + datetime.timedelta(days=closes)).date()
    Project.objects.filter(pk=project.pk).update(**updates)
    # Stage tasks fall due a week after the stage was entered, so long-stuck projects show overdue work.
    Task.objects.filter(project=project, kind=Task.Kind.STAGE, done_at__isnull=True).update(
        created_at=last, due_date=(last + datetime.timedelta(days=7)).date()
    )
    observed = (start + span * 0.8).date()
    CustomerStageObservation.objects.filter(project=project).exclude(stage__number=1).update(observed_on=observed)
    Project.objects.filter(pk=project.pk, customer_stage__number__gt=1).update(customer_stage_observed_on=observed)


def load_customer_forms(*, users) -> None:
    """Customer-level paperwork: evaluations, a marketing activity sheet, an abnormal-customer record."""
    from forms_toolkit.models import AbnormalCustomer, CustomerEvaluation, MarketingActivity

    plan = [
        ("JN-HM-0001", "F04", "approved"),
        ("BF-HE-0101", "F04", "submitted"),
        ("HD-PW-0002", "F07", "draft"),
        ("SZ-EL-0004", "F26", "submitted"),
        ("HB-PW-0103", "F26", "draft"),
    ]
    models = {"F04": CustomerEvaluation, "F07": MarketingActivity, "F26": AbnormalCustomer}
    for code, form_code, status in plan:
        customer = Customer.objects.get(code=code)
        if models[form_code].objects.filter(customer=customer).exists():
            continue
        manager = users["manager"] if customer.team_id == users["manager"].team_id else users["manager2"]
        demo_stage_form(
            form_code, customer=customer, by=customer.owner, status=status, approver=manager, director=users["director"]
        )


def load_every_paper(*, users) -> list[str]:
    """At least one filled form of every type, so a new user can open and print each of them.

    A type the stage paperwork left out is filled, signed off, on the rep's project that has gone
    furthest (the demo's gates ask for some forms, not all). Returns the types it added.
    """
    from forms_toolkit.registry import registry

    rep, manager = users["rep"], users["manager"]
    projects = list(
        Project.objects.filter(owner=rep).select_related("stage", "customer").order_by("-stage__number", "pk")
    )
    added = []
    for form_type in registry.all():
        if form_type.model.objects.exists():
            continue
        target = next((p for p in projects if not form_type.stages or p.stage.number >= max(form_type.stages)), None)
        target = target or (projects[0] if projects else Project.objects.select_related("customer").first())
        if target is None:
            continue
        demo_stage_form(
            form_type.code,
            project=target if form_type.level == "project" else None,
            customer=target.customer,
            by=target.owner,
            status="approved",
            approver=manager if target.team_id == manager.team_id else users["manager2"],
            director=users["director"],
        )
        added.append(form_type.code)
    return added
