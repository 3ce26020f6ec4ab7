"""异常情况: rules that find what is going wrong, and their sync into the Anomaly table.

Each rule is one query over open projects (or F26 records) returning hits with a
stable key: the same situation keeps its row, so a manager's acknowledgement
sticks, running the detection twice changes nothing, and a situation that ends
is cleared by the system (a resolved one stays resolved).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.events import emit
from core.registry import Registry
from core.templatetags.paper import money
from forecasting.models import Anomaly, DealControlSettings
from forms_toolkit.models import AbnormalCustomer, StageForm
from pipeline.models import BuyingCenterMember, Project, StageChange

HIGH, MEDIUM = Anomaly.Severity.HIGH, Anomaly.Severity.MEDIUM
PROJECT_FIELDS = ("pk", "customer_id", "team_id", "owner_id")


@dataclass
class Hit:
    key: str
    kind: str
    severity: str
    customer_id: int
    team_id: int | None
    owner_id: int
    project_id: int | None = None
    since: datetime.datetime | None = None  # None: from the moment it is first seen
    details: dict = field(default_factory=dict)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _hit(row: dict, key: str, kind: str, severity: str, **kw) -> Hit:
    return Hit(
        key=key,
        kind=kind,
        severity=severity,
        project_id=row["pk"],
        customer_id=row["customer_id"],
        team_id=row["team_id"],
        owner_id=row["owner_id"],
        **kw,
    )


@dataclass(frozen=True)
class Rule:
    """One anomaly rule, declared once (with ``@rule`` over its finder): the kinds it raises and their
    names, how each reads as a sentence, and whether it runs over open projects (all of them, or the
    ones that just changed) or over customers (full runs only)."""

    kinds: dict[str, Any]
    find: Callable[..., Iterable[Hit]]
    explain: Callable[..., str]
    on: str = "projects"


rules: Registry[Rule] = Registry("forecasting.anomaly_rules")


def rule(*, explain: Callable[..., str], on: str = "projects", **kinds) -> Callable:
    """Register the decorated finder ``(projects, *, config, norms, now) -> hits`` as a rule."""

    def register(find):
        rules.register(Rule(kinds=kinds, find=find, explain=explain, on=on), key=find.__name__)
        return find

    return register


def kind_choices() -> list[tuple[str, Any]]:
    """Every kind a rule raises, with its name: ``Anomaly.kind``'s choices."""
    return [choice for r in rules for choice in r.kinds.items()]


def _rule_of(kind: str) -> Rule | None:
    return next((r for r in rules if kind in r.kinds), None)


def _stalled_explained(d: dict, *, now, anomaly) -> str:
    days = (now - datetime.datetime.fromisoformat(d["entered"])).days
    return _("在第 %(stage)s 阶段已停留 %(days)s 天,超过常规的 %(norm)s 天。") % {
        "stage": d["stage"],
        "days": days,
        "norm": d["norm"],
    }


@rule(stalled=_l("阶段停滞"), explain=_stalled_explained)
def stalled(projects, *, config, norms, now) -> Iterable[Hit]:
    too_long = Q()
    for number, days in norms.items():
        too_long |= Q(stage__number=number, stage_entered_at__lt=now - datetime.timedelta(days=days))
    for row in projects.filter(too_long).values(*PROJECT_FIELDS, "stage__number", "stage_entered_at"):
        number, entered = row["stage__number"], row["stage_entered_at"]
        norm = norms[number]
        days = (now - entered).days
        yield _hit(
            row,
            f"stalled:{row['pk']}:{entered:%Y%m%d%H%M%S}",
            "stalled",
            HIGH if days >= 2 * norm else MEDIUM,
            since=entered + datetime.timedelta(days=norm),
            details={"stage": number, "norm": norm, "entered": entered.isoformat()},
        )


def _tracks_disagree_explained(d: dict, *, now, anomaly) -> str:
    if d["theirs"] > d["ours"]:
        return _("客户采购已到第 %(theirs)s 阶段,我方还在第 %(ours)s 阶段:客户走在我们前面。") % d
    return _("我方已推进到第 %(ours)s 阶段,客户采购仍在第 %(theirs)s 阶段:我方领先客户 %(gap)s 个阶段。") % {
        **d,
        "gap": d["ours"] - d["theirs"],
    }


@rule(tracks_disagree=_l("双轨不一致"), explain=_tracks_disagree_explained)
def tracks_disagree(projects, *, config, norms, now) -> Iterable[Hit]:
    gap = F("stage__number") - F("customer_stage__number")
    rows = (
        projects.annotate(gap=gap)
        .filter(Q(gap__gte=config.stage_gap) | Q(gap__lt=0))
        .values(*PROJECT_FIELDS, "gap", "stage__number", "customer_stage__number", "stage_entered_at")
        .annotate(observed=F("customer_stage_observed_on"))
    )
    for row in rows:
        ours, theirs = row["stage__number"], row["customer_stage__number"]
        since = max(row["stage_entered_at"], _start_of(row["observed"]))
        yield _hit(
            row,
            f"tracks:{row['pk']}:{ours}:{theirs}",
            "tracks_disagree",
            HIGH if abs(row["gap"]) > config.stage_gap or row["gap"] < -1 else MEDIUM,
            since=since,
            details={"ours": ours, "theirs": theirs},
        )


def _close_date_pushed_explained(d: dict, *, now, anomaly) -> str:
    return _("预计签约日期已推迟 %(pushes)s 次。") % d


@rule(close_date_pushed=_l("签约日期多次推迟"), explain=_close_date_pushed_explained)
def close_date_pushed(projects, *, config, norms, now) -> Iterable[Hit]:
    for row in projects.filter(close_date_pushes__gte=config.close_date_pushes).values(
        *PROJECT_FIELDS, "close_date_pushes"
    ):
        pushes = row["close_date_pushes"]
        yield _hit(
            row,
            f"pushed:{row['pk']}",
            "close_date_pushed",
            HIGH if pushes >= config.close_date_pushes + 2 else MEDIUM,
            details={"pushes": pushes},
        )


def _close_date_passed_explained(d: dict, *, now, anomaly) -> str:
    return _("预计签约日期 %(date)s 已过,项目仍未结案。") % {"date": _date(d["date"])}


@rule(close_date_passed=_l("签约日期已过"), explain=_close_date_passed_explained)
def close_date_passed(projects, *, config, norms, now) -> Iterable[Hit]:
    today = timezone.localdate(now)
    for row in projects.filter(expected_close_date__lt=today).values(*PROJECT_FIELDS, "expected_close_date"):
        day = row["expected_close_date"]
        yield _hit(
            row,
            f"close_passed:{row['pk']}:{day:%Y%m%d}",
            "close_date_passed",
            HIGH,
            since=_start_of(day + datetime.timedelta(days=1)),
            details={"date": day.isoformat()},
        )


def _amount_cut_explained(d: dict, *, now, anomaly) -> str:
    return _("项目金额从 %(peak)s 元降到 %(amount)s 元,下调 %(percent)s%%。") % {
        "peak": money(d["peak"]),
        "amount": money(d["amount"]),
        "percent": d["percent"],
    }


@rule(amount_cut=_l("金额大幅下调"), explain=_amount_cut_explained)
def amount_cut(projects, *, config, norms, now) -> Iterable[Hit]:
    kept = Decimal(100 - config.amount_cut_percent) / 100
    rows = projects.filter(peak_amount_cny__gt=0, amount_cny__lte=F("peak_amount_cny") * kept).values(
        *PROJECT_FIELDS, "amount_cny", "peak_amount_cny"
    )
    for row in rows:
        peak, amount = row["peak_amount_cny"], row["amount_cny"]
        cut = int((peak - amount) * 100 / peak)
        yield _hit(
            row,
            f"cut:{row['pk']}:{peak}",
            "amount_cut",
            HIGH if cut >= 50 else MEDIUM,
            details={"peak": str(peak), "amount": str(amount), "percent": cut},
        )


def _gate_overridden_explained(d: dict, *, now, anomaly) -> str:
    return _("%(by)s 越过未满足的阶段条件推进到第 %(stage)s 阶段,理由:%(reason)s") % d


@rule(gate_overridden=_l("越过阶段条件"), explain=_gate_overridden_explained)
def gate_overridden(projects, *, config, norms, now) -> Iterable[Hit]:
    changes = (
        StageChange.objects.filter(project__in=projects.values("pk"))
        .exclude(override_reason="")
        .values(
            "pk",
            "project_id",
            "project__customer_id",
            "project__team_id",
            "project__owner_id",
            "at",
            "to_stage__number",
            "by__last_name",
            "by__first_name",
            "by__username",
            "override_reason",
        )
    )
    for c in changes:
        by = f"{c['by__last_name']}{c['by__first_name']}".strip() or c["by__username"]
        yield Hit(
            key=f"override:{c['pk']}",
            kind="gate_overridden",
            severity=MEDIUM,
            project_id=c["project_id"],
            customer_id=c["project__customer_id"],
            team_id=c["project__team_id"],
            owner_id=c["project__owner_id"],
            since=c["at"],
            details={"stage": c["to_stage__number"], "by": by, "reason": c["override_reason"][:200]},
        )


def _no_activity_explained(d: dict, *, now, anomaly) -> str:
    last = datetime.datetime.fromisoformat(d["last"])
    return _("已有 %(days)s 天没有电话、拜访、表单或阶段变化(最近一次在 %(date)s)。") % {
        "days": (now - last).days,
        "date": _date(d["last"]),
    }


@rule(no_activity=_l("长期无活动"), explain=_no_activity_explained)
def no_activity(projects, *, config, norms, now) -> Iterable[Hit]:
    limit = now - datetime.timedelta(days=config.idle_days)
    rows = projects.filter(last_activity_at__lt=limit).values(*PROJECT_FIELDS, "last_activity_at")
    for row in rows:
        last = row["last_activity_at"]
        yield _hit(
            row,
            f"idle:{row['pk']}:{last:%Y%m%d%H%M%S}",
            "no_activity",
            HIGH if (now - last).days >= 2 * config.idle_days else MEDIUM,
            since=last + datetime.timedelta(days=config.idle_days),
            details={"last": last.isoformat()},
        )


def _decision_maker_explained(d: dict, *, now, anomaly) -> str:
    parts = []
    if d["opposed"]:
        parts.append(_("决策者 %(names)s 反对我方") % {"names": "、".join(d["opposed"])})
    if d["not_contacted"]:
        parts.append(_("决策者 %(names)s 尚未联系") % {"names": "、".join(d["not_contacted"])})
    return _("项目已到第 %(stage)s 阶段,但%(what)s。") % {"stage": d["stage"], "what": ";".join(parts)}


@rule(decision_maker=_l("决策者反对或未联系"), explain=_decision_maker_explained)
def decision_maker(projects, *, config, norms, now) -> Iterable[Hit]:
    B = BuyingCenterMember
    members = (
        B.objects.filter(
            project__in=projects.filter(stage__number__gte=config.decision_maker_stage).values("pk"),
            role=B.Role.DECISION_MAKER,
        )
        .filter(Q(attitude=B.Attitude.OPPONENT) | Q(closeness=B.Closeness.NONE))
        .order_by("project_id", "contact__name")
        .values(
            "project_id",
            "project__customer_id",
            "project__team_id",
            "project__owner_id",
            "project__stage__number",
            "contact__name",
            "attitude",
            "closeness",
        )
    )
    by_project: dict[int, Hit] = {}
    for m in members:
        hit = by_project.setdefault(
            m["project_id"],
            Hit(
                key=f"dm:{m['project_id']}",
                kind="decision_maker",
                severity=HIGH,
                project_id=m["project_id"],
                customer_id=m["project__customer_id"],
                team_id=m["project__team_id"],
                owner_id=m["project__owner_id"],
                details={"stage": m["project__stage__number"], "opposed": [], "not_contacted": []},
            ),
        )
        if m["attitude"] == B.Attitude.OPPONENT:
            hit.details["opposed"].append(m["contact__name"])
        if m["closeness"] == B.Closeness.NONE:
            hit.details["not_contacted"].append(m["contact__name"])
    return by_project.values()


def _customer_explained(d: dict, *, now, anomaly) -> str:
    return _("异常客户信息表 %(form)s 报告“%(kind)s”,尚未确认恢复正常。") % {
        "form": d.get("form", ""),
        "kind": anomaly.get_kind_display(),
    }


@rule(
    spending=_l("过高/过低消费"),
    behaviour=_l("行为变化异常"),
    low_credit=_l("信用度很低"),
    churn=_l("客户流失"),
    explain=_customer_explained,
    on="customers",
)
def abnormal_customers(projects, *, config, norms, now) -> Iterable[Hit]:
    """The F26 kinds: an abnormal-customer record handed in and not yet confirmed normal."""
    rows = (
        AbnormalCustomer.objects.filter(
            status__in=[StageForm.Status.SUBMITTED, StageForm.Status.APPROVED], confirmed_normal=False
        )
        .values("pk", "number", "customer_id", "team_id", "customer__owner_id", "kind", "filled_on")
        .order_by()
    )
    for row in rows:
        yield Hit(
            key=f"f26:{row['pk']}",
            kind=row["kind"],
            severity=HIGH if row["kind"] in ("low_credit", "churn") else MEDIUM,
            customer_id=row["customer_id"],
            team_id=row["team_id"],
            owner_id=row["customer__owner_id"],
            since=_start_of(row["filled_on"]),
            details={"form": row["number"], "form_id": row["pk"]},
        )


def detect(*, norms: dict[int, int], project_ids=None, config=None, now=None) -> dict[str, int]:
    """Run the rules (on some projects, or on everything) and bring the Anomaly table in line."""
    config = config or DealControlSettings.current()
    now = now or timezone.now()
    projects = Project.objects.open().order_by()
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    hits: dict[str, Hit] = {}
    for r in rules:
        if r.on == "projects" or project_ids is None:
            for hit in r.find(projects, config=config, norms=norms, now=now):
                hits[hit.key] = hit
    if project_ids is None:
        scope = Anomaly.objects.all()
    else:
        scope = Anomaly.objects.filter(project_id__in=project_ids).exclude(kind__in=customer_kinds())
    return _sync(hits, scope=scope, now=now)


@transaction.atomic
def _sync(hits: dict[str, Hit], *, scope, now) -> dict[str, int]:
    existing: dict[str, Anomaly] = {}
    keys = list(hits)
    for i in range(0, len(keys), 1000):
        for row in Anomaly.objects.filter(key__in=keys[i : i + 1000]):
            existing[row.key] = row
    created: list[Anomaly] = []
    changed: list[Anomaly] = []
    reopened_keys: set[str] = set()
    for key, hit in hits.items():
        anomaly = existing.get(key)
        if anomaly is None:
            created.append(
                Anomaly(
                    key=key,
                    kind=hit.kind,
                    severity=hit.severity,
                    project_id=hit.project_id,
                    customer_id=hit.customer_id,
                    team_id=hit.team_id,
                    owner_id=hit.owner_id,
                    since=hit.since or now,
                    details=hit.details,
                    detected_at=now,
                )
            )
            continue
        reopened = anomaly.status == Anomaly.Status.CLEARED
        if reopened or (anomaly.severity, anomaly.details, anomaly.owner_id, anomaly.team_id) != (
            hit.severity,
            hit.details,
            hit.owner_id,
            hit.team_id,
        ):
            anomaly.severity, anomaly.details = hit.severity, hit.details
            anomaly.owner_id, anomaly.team_id = hit.owner_id, hit.team_id
            if reopened:
                anomaly.status, anomaly.cleared_at = Anomaly.Status.OPEN, None
                reopened_keys.add(key)
            changed.append(anomaly)
    Anomaly.objects.bulk_create(created, batch_size=1000)
    raised = created + [a for a in changed if a.status == Anomaly.Status.OPEN and a.key in reopened_keys]
    if raised:
        emit("anomalies_raised", anomalies=raised)
    Anomaly.objects.bulk_update(
        changed, ["severity", "details", "owner_id", "team_id", "status", "cleared_at"], batch_size=1000
    )
    stale = [pk for pk, key in scope.active().values_list("pk", "key") if key not in hits]
    for i in range(0, len(stale), 1000):
        Anomaly.objects.filter(pk__in=stale[i : i + 1000]).update(status=Anomaly.Status.CLEARED, cleared_at=now)
    return {"created": len(created), "changed": len(changed), "cleared": len(stale)}


# Words -------------------------------------------------------------------------------------------


def _date(iso: str) -> str:
    value = datetime.datetime.fromisoformat(iso) if "T" in iso else datetime.date.fromisoformat(iso)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "Y-m-d")


def customer_kinds() -> set[str]:
    return {kind for r in rules if r.on == "customers" for kind in r.kinds}


def explain(anomaly: Anomaly) -> str:
    """The anomaly in a sentence, in the reader's language."""
    found = _rule_of(anomaly.kind)
    if found is None:
        return anomaly.get_kind_display()
    return found.explain(anomaly.details, now=timezone.now(), anomaly=anomaly)
