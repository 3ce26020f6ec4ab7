"""Which stage conditions of a project are met: plain functions that write nothing.

A gate between stage N and a later stage M is closed while any active condition
of stages N … M-1 is unmet; closing a project as won passes the gate of every
stage up to 8. Each condition kind is answered by an evaluator registered here;
other apps (the forms toolkit) register evaluators for their kinds, so the gate
never needs to know them. Evaluators work on many projects at once, so a board
of fifty projects costs the same few queries as one project.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.registry import Registry
from core.typing import Label
from pipeline.catalog_cache import catalog
from pipeline.models import (
    BuyingCenterMember,
    ConditionCheck,
    ProcurementStep,
    Project,
    StageCondition,
    StageDefinition,
)

# (projects, conditions of one kind) -> the (project id, condition id) pairs that are met
Evaluator = Callable[[list[Project], list[StageCondition]], set[tuple[int, int]]]


@dataclass(frozen=True)
class ConditionKindSpec:
    evaluator: Evaluator
    hint: Label
    url: Callable[[Project, StageCondition], str] | None = None


# What the gate can check, by condition kind: the pipeline's own below, the forms toolkit's
# "form submitted / approved" registered in its AppConfig.ready().
condition_kinds: Registry[ConditionKindSpec] = Registry("pipeline.condition_kinds")


@dataclass(frozen=True)
class ConditionStatus:
    condition: StageCondition
    met: bool
    hint: Label = ""
    link: Callable[[], str] | None = None  # where to fill it in, reversed only when a page shows it

    @property
    def text(self) -> str:
        return self.condition.display_text

    @property
    def url(self) -> str:
        return self.link() if self.link else ""


@dataclass
class GateResult:
    project: Project
    to_stage: StageDefinition | None
    statuses: list[ConditionStatus] = field(default_factory=list)

    @property
    def unmet(self) -> list[ConditionStatus]:
        return [s for s in self.statuses if not s.met]

    @property
    def is_open(self) -> bool:
        return not self.unmet

    def unmet_texts(self) -> list[str]:
        return [f"{s.condition.stage.number}. {s.text}" for s in self.unmet]


def conditions_for_stages(numbers: Iterable[int]) -> list[StageCondition]:
    return catalog().conditions_for(numbers)


def condition_statuses(
    *, projects: list[Project], conditions: list[StageCondition], only_current_stage: bool = False
) -> dict[int, list[ConditionStatus]]:
    """For each project, the status of each of ``conditions`` that belongs to a stage it must pass.

    With ``only_current_stage`` a project gets statuses for its own stage's conditions only
    (the evaluators still run once for all projects and conditions).
    """
    # Kinds that share an evaluator are answered in one call (one query), whatever their number.
    by_evaluator: dict[Evaluator, list[StageCondition]] = defaultdict(list)
    for condition in conditions:
        spec = condition_kinds.get(condition.kind)
        if spec is not None:
            by_evaluator[spec.evaluator].append(condition)
    met: set[tuple[int, int]] = set()
    if projects:
        for evaluator, evaluator_conditions in by_evaluator.items():
            met |= evaluator(projects, evaluator_conditions)
    hints = {kind: str(spec.hint) for kind, spec in condition_kinds.items()}
    unknown = str(_("系统尚不能检查这类条件,请联系管理员。"))
    by_stage: dict[int, list[StageCondition]] = defaultdict(list)
    for condition in conditions:
        by_stage[condition.stage_id].append(condition)
    out: dict[int, list[ConditionStatus]] = {}
    for project in projects:
        statuses = []
        for condition in by_stage[project.stage_id] if only_current_stage else conditions:
            spec = condition_kinds.get(condition.kind)
            statuses.append(
                ConditionStatus(
                    condition=condition,
                    met=(project.pk, condition.pk) in met,
                    hint=hints.get(condition.kind, unknown),
                    link=partial(spec.url, project, condition) if spec and spec.url else None,
                )
            )
        out[project.pk] = statuses
    return out


def evaluate_gate(*, project: Project, to_stage: StageDefinition | None) -> GateResult:
    """What stands between the project and ``to_stage`` (None: closing as won)."""
    last = to_stage.number if to_stage is not None else 9
    conditions = conditions_for_stages(range(project.stage.number, last))
    statuses = condition_statuses(projects=[project], conditions=conditions)[project.pk]
    return GateResult(project=project, to_stage=to_stage, statuses=statuses)


def current_stage_statuses(*, projects: list[Project]) -> dict[int, list[ConditionStatus]]:
    """Each project's conditions for its current stage, for boards and lists (a fixed number of queries)."""
    conditions = [c for c in conditions_for_stages(range(1, 9)) if c.stage_id in {p.stage_id for p in projects}]
    return condition_statuses(projects=projects, conditions=conditions, only_current_stage=True)


# Built-in kinds -------------------------------------------------------------------------------


def _pairs(project_ids: Iterable[int], conditions: list[StageCondition]) -> set[tuple[int, int]]:
    return {(pid, c.pk) for pid in project_ids for c in conditions}


def _checklist(projects: list[Project], conditions: list[StageCondition]) -> set[tuple[int, int]]:
    return set(
        ConditionCheck.objects.filter(project__in=projects, condition__in=conditions).values_list(
            "project_id", "condition_id"
        )
    )


def _buying_center(projects: list[Project], conditions: list[StageCondition]) -> set[tuple[int, int]]:
    """Both buying-center kinds from one query: who is mapped, and whether a decision-maker is among them."""
    rows = set(
        BuyingCenterMember.objects.filter(project__in=projects).values_list("project_id", "role").order_by().distinct()
    )
    mapped = {pid for pid, _role in rows}
    with_decision_maker = {pid for pid, role in rows if role == BuyingCenterMember.Role.DECISION_MAKER}
    met: set[tuple[int, int]] = set()
    for condition in conditions:
        ids = with_decision_maker if condition.kind == StageCondition.Kind.DECISION_MAKER_IDENTIFIED else mapped
        met |= _pairs(ids, [condition])
    return met


def _procurement_map_filled(projects: list[Project], conditions: list[StageCondition]) -> set[tuple[int, int]]:
    ids = ProcurementStep.objects.filter(project__in=projects).values_list("project_id", flat=True)
    return _pairs(set(ids), conditions)


def _url(name: str) -> Callable[[Project, StageCondition], str]:
    return lambda project, condition: reverse(name, args=[project.pk])


# The pipeline's own condition kinds; the forms toolkit adds its two in FormsToolkitConfig.ready().
BUILT_IN_KINDS = {
    StageCondition.Kind.CHECKLIST: ConditionKindSpec(evaluator=_checklist, hint=_("完成后在项目页勾选确认。")),
    StageCondition.Kind.DECISION_MAKER_IDENTIFIED: ConditionKindSpec(
        evaluator=_buying_center,
        hint=_("在“与采购有关人的角色与态度”中标出角色为决策者的人。"),
        url=_url("pipeline:buying-center"),
    ),
    StageCondition.Kind.BUYING_CENTER_MAPPED: ConditionKindSpec(
        evaluator=_buying_center,
        hint=_("把参与这次采购的人加入“与采购有关人的角色与态度”。"),
        url=_url("pipeline:buying-center"),
    ),
    StageCondition.Kind.PROCUREMENT_MAP_FILLED: ConditionKindSpec(
        evaluator=_procurement_map_filled,
        hint=_("填写“客户内部采购流程”的步骤与负责人。"),
        url=_url("pipeline:procurement-map"),
    ),
}
for _kind, _spec in BUILT_IN_KINDS.items():
    condition_kinds.register(_spec, key=_kind)
