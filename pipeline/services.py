"""Every write to a project's stages, tasks and maps. Nothing else assigns ``project.stage``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import emit
from core.history import attribute_change
from core.services import number_next
from core.versioning import copy_changes, lock_for_edit, save_version
from pipeline import catalog_cache
from pipeline.gates import GateResult, current_stage_statuses, evaluate_gate
from pipeline.hooks import project_changed
from pipeline.models import (
    ConditionCheck,
    CustomerStageObservation,
    Project,
    ProjectMember,
    StageChange,
    StageCondition,
    StageDefinition,
    Task,
    forget_projects_elsewhere,
)

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer


class GateClosed(ValidationError):
    """The move was refused: the gate names what is missing."""

    def __init__(self, gate: GateResult):
        self.gate = gate
        super().__init__(
            _("阶段条件未满足:%(missing)s") % {"missing": ";".join(gate.unmet_texts())}, code="gate_closed"
        )


def can_override_gate(*, project: Project, user: User) -> bool:
    """Only the team's manager (or a director or admin) may move a project past a closed gate."""
    return user.sees_everything or user.manages(project.team_id)


def _lock(project: Project) -> Project:
    # No join in the locking query: PostgreSQL rechecks a join against the old rows
    # of the other table after waiting, and the row would vanish once its stage moved.
    locked = Project.objects.select_for_update().get(pk=project.pk)
    stages = StageDefinition.objects.in_bulk([locked.stage_id, locked.customer_stage_id])
    locked.stage, locked.customer_stage = stages[locked.stage_id], stages[locked.customer_stage_id]
    return locked


def _copy_back(source: Project, target: Project) -> None:
    """Let the caller's instance see what the locked row became."""
    for f in Project._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    for relation in ("stage", "customer_stage"):
        setattr(target, relation, getattr(source, relation))


def _amount_cny(project: Project) -> Decimal:
    return (project.amount * project.exchange_rate).quantize(Decimal("0.01"))


def _record_change(
    *,
    project: Project,
    kind: str,
    to_stage: StageDefinition,
    by: User,
    at: datetime.datetime | None = None,
    **fields: object,
) -> tuple[StageChange, list[StageChange]]:
    """Write a stage change, closing the stay it ends, with the customer's stage as it stood: the change
    and the stays it ended."""
    at = at or timezone.now()
    ended = []
    for stay in StageChange.objects.stays().filter(project=project, left_at__isnull=True):
        stay.left_at = at
        stay.days = max((at - stay.at).days, 0)
        stay.save(update_fields=["left_at", "days"])
        ended.append(stay)
    change = StageChange.objects.create(
        project=project,
        kind=kind,
        to_stage=to_stage,
        by=by,
        at=at,
        customer_stage_id=project.customer_stage_id,
        **fields,
    )
    return change, ended


def project_touch(*, project_id: int, at: datetime.datetime | None = None) -> None:
    """Note an activity on the project (a form, a visit, a call): the no-activity anomaly reads it."""
    Project.objects.filter(pk=project_id).update(last_activity_at=at or timezone.now())


@transaction.atomic
def project_create(*, project: Project, by: User, customer_stage: StageDefinition | None = None) -> Project:
    """Open a project in stage 1 of our track, with the customer's stage as the rep sees it."""
    first = StageDefinition.objects.get(number=1)
    _open(project, by=by, stage=first, customer_stage=customer_stage or first)
    stage_tasks_create(project=project, by=by)
    project_changed(project=project)
    return project


def _open(
    project: Project,
    *,
    by: User,
    stage: StageDefinition,
    customer_stage: StageDefinition,
    reason: str | None = None,
    status: str = Project.Status.OPEN,
    lost_reason: str = "",
) -> None:
    """Save a new project where it stands on both tracks, its owner on its team, its first stage change."""
    if project.owner_id is None:
        project.owner = by
    now = timezone.now()
    project.number = number_next(prefix="XM")
    project.team_id = project.owner.team_id
    project.stage, project.stage_entered_at = stage, now
    project.customer_stage = customer_stage
    project.customer_stage_observed_on = timezone.localdate()
    project.amount_cny = project.peak_amount_cny = _amount_cny(project)
    project.furthest_stage_number = stage.number
    project.last_activity_at = now
    project.status = status
    if status != Project.Status.OPEN:
        project.lost_reason = lost_reason if status != Project.Status.WON else ""
        project.closed_at = now
        project.close_note = reason or ""
    attribute_change(project, by, reason)
    project.save()
    ProjectMember.objects.create(project=project, user=project.owner, role=ProjectMember.Role.ACCOUNT_MANAGER)
    _record_change(project=project, kind=StageChange.Kind.CREATED, to_stage=stage, by=by, at=now, reason=reason or "")
    CustomerStageObservation.objects.create(
        project=project, stage=project.customer_stage, observed_on=project.customer_stage_observed_on, by=by
    )


@transaction.atomic
def project_update(
    *,
    project: Project,
    by: User,
    changed_fields: list[str],
    expected_version: int | None = None,
    reason: str | None = None,
) -> Project:
    """Save edits to the project's own fields; the team follows the owner, who is always on the project team.

    Only the fields the form changed are written, onto the row as saved (locked; EditConflict when
    someone saved it since ``expected_version``): never the stage, the probability or what the
    stage services keep. A close date moved later counts as a push (three pushes is an anomaly);
    the highest amount the project ever had is kept, to see a cut.
    """
    current = lock_for_edit(project, expected_version=expected_version)
    before_owner_id, before_close = current.owner_id, current.expected_close_date
    changed_fields = [name for name in changed_fields if name not in PROJECT_STAGE_FIELDS]
    copy_changes(project, current, changed_fields)
    derived = ["amount_cny", "peak_amount_cny"]
    if "owner" in changed_fields:
        current.team_id = current.owner.team_id
        derived.append("team")
        ProjectMember.objects.filter(project=current).update(team_id=current.team_id)
        forget_projects_elsewhere(current.members.values_list("user_id", flat=True))
        ProjectMember.objects.get_or_create(
            project=current, user=current.owner, defaults={"role": ProjectMember.Role.ACCOUNT_MANAGER}
        )
    if current.expected_close_date > before_close:
        current.close_date_pushes += 1
        derived.append("close_date_pushes")
    current.amount_cny = _amount_cny(current)
    current.peak_amount_cny = max(current.peak_amount_cny, current.amount_cny)
    attribute_change(current, by, reason)
    save_version(current, fields=[*changed_fields, *derived])
    project_changed(project=current, previous_owner_id=before_owner_id)
    return current


@transaction.atomic
def project_import_create(
    *,
    project: Project,
    by: User,
    stage: StageDefinition | None,
    customer_stage: StageDefinition | None,
    status: str,
    lost_reason: str = "",
    reason: str,
) -> Project:
    """A project brought in from a spreadsheet, where it already stands: in its stage on both tracks
    (entered today: the file does not say when), open or closed with its outcome. Its first stage
    change says so. The roll-up that scores it runs once for the whole import (``projects_imported``)."""
    stage = stage or StageDefinition.objects.get(number=1)
    if status == Project.Status.WON:
        stage = StageDefinition.objects.get(number=8)
    _open(
        project,
        by=by,
        stage=stage,
        customer_stage=customer_stage or stage,
        reason=reason,
        status=status,
        lost_reason=lost_reason,
    )
    if project.is_open:
        stage_tasks_create(project=project, by=by)
    return project


# What only the stage services write (the gates, the customer-stage observation, the win model).
PROJECT_STAGE_FIELDS = frozenset(
    {
        "stage",
        "stage_entered_at",
        "customer_stage",
        "customer_stage_observed_on",
        "win_probability",
        "win_reasons",
        "status",
    }
)


@transaction.atomic
def project_advance_stage(
    *, project: Project, to_stage: StageDefinition, by: User, override_reason: str | None = None
) -> StageChange:
    """Move the project forward, through the gate or past it with a manager's reason.

    The row is locked first, so of two people advancing the same project at once
    the second sees the first one's move and is refused instead of moving twice.
    """
    locked = _lock(project)
    if not locked.is_open:
        raise ValidationError(_("项目已结案,不能推进。"), code="closed")
    if to_stage.number <= locked.stage.number:
        raise ValidationError(
            _("项目已处在第 %(n)s 阶段(%(name)s),不能推进到第 %(to)s 阶段。")
            % {"n": locked.stage.number, "name": locked.stage.display_name, "to": to_stage.number},
            code="not_forward",
        )
    gate = evaluate_gate(project=locked, to_stage=to_stage)
    override_reason = _checked_override(project=locked, gate=gate, by=by, override_reason=override_reason)
    change, _ended = _record_change(
        project=locked,
        kind=StageChange.Kind.ADVANCE,
        from_stage=locked.stage,
        to_stage=to_stage,
        by=by,
        override_reason=override_reason,
        unmet_conditions=gate.unmet_texts() if override_reason else [],
    )
    _enter_stage(project=locked, stage=to_stage, at=change.at, by=by)
    _copy_back(locked, project)
    if override_reason:
        emit("gate_overridden", project=locked, change=change, by=by)
    return change


def _checked_override(*, project: Project, gate: GateResult, by: User, override_reason: str | None) -> str:
    if gate.is_open:
        return ""
    reason = (override_reason or "").strip()
    if not reason:
        raise GateClosed(gate)
    if not can_override_gate(project=project, user=by):
        raise PermissionDenied(_("只有销售经理可以越过未满足的阶段条件。"))
    return reason


def _enter_stage(*, project: Project, stage: StageDefinition, at: datetime.datetime, by: User) -> None:
    project.stage = stage
    project.stage_entered_at = at
    project.furthest_stage_number = max(project.furthest_stage_number, stage.number)
    project.last_activity_at = at
    attribute_change(project, by)
    project.save(
        update_fields=[
            "stage",
            "stage_entered_at",
            "furthest_stage_number",
            "last_activity_at",
            "updated_at",
        ]
    )
    # Stage tasks of the stages left behind are finished business one way or another.
    Task.objects.open().filter(project=project, kind=Task.Kind.STAGE).exclude(condition__stage=stage).update(done_at=at)
    stage_tasks_create(project=project, by=by)
    project_changed(project=project)


@transaction.atomic
def project_step_back(*, project: Project, to_stage: StageDefinition, by: User, reason: str) -> StageChange:
    """Move the project back to an earlier stage; the reason is required and kept."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("回退必须说明原因。")}, code="reason_required")
    locked = _lock(project)
    if not locked.is_open:
        raise ValidationError(_("项目已结案,不能回退。"), code="closed")
    if to_stage.number >= locked.stage.number:
        raise ValidationError(_("只能回退到更早的阶段。"), code="not_backward")
    change, _ended = _record_change(
        project=locked,
        kind=StageChange.Kind.STEP_BACK,
        from_stage=locked.stage,
        to_stage=to_stage,
        by=by,
        reason=reason,
    )
    _enter_stage(project=locked, stage=to_stage, at=change.at, by=by)
    _copy_back(locked, project)
    return change


@transaction.atomic
def project_close(
    *,
    project: Project,
    outcome: str,
    by: User,
    lost_reason: str = "",
    note: str = "",
    success_story: str = "",
    override_reason: str | None = None,
) -> StageChange:
    """Close as won (the stage-8 milestone, through every remaining gate) or as lost / abandoned (with a reason)."""
    locked = _lock(project)
    if not locked.is_open:
        raise ValidationError(_("项目已经结案。"), code="closed")
    note = (note or "").strip()
    now = timezone.now()
    last = StageDefinition.objects.get(number=8)
    if outcome == Project.Status.WON:
        gate = evaluate_gate(project=locked, to_stage=None)
        override_reason = _checked_override(project=locked, gate=gate, by=by, override_reason=override_reason)
        kind, to_stage = StageChange.Kind.CLOSE_WON, last
        unmet = gate.unmet_texts() if override_reason else []
        locked.lost_reason = ""
        locked.success_story = (success_story or "").strip()
    elif outcome in (Project.Status.LOST, Project.Status.ABANDONED):
        errors = {}
        if lost_reason not in Project.LostReason.values:
            errors["lost_reason"] = _("请选择丢单原因。")
        if not note:
            errors["note"] = _("请说明丢单或放弃的经过。")
        if errors:
            raise ValidationError(errors, code="reason_required")
        kind = StageChange.Kind.CLOSE_LOST if outcome == Project.Status.LOST else StageChange.Kind.CLOSE_ABANDONED
        to_stage, unmet, override_reason = locked.stage, [], ""
        locked.lost_reason = lost_reason
    else:
        raise ValidationError(_("未知的结案结果。"), code="bad_outcome")
    change, ended = _record_change(
        project=locked,
        kind=kind,
        from_stage=locked.stage,
        to_stage=to_stage,
        by=by,
        at=now,
        reason=note,
        override_reason=override_reason or "",
        unmet_conditions=unmet,
    )
    if to_stage != locked.stage:
        locked.stage = to_stage
        locked.stage_entered_at = now
        locked.furthest_stage_number = max(locked.furthest_stage_number, to_stage.number)
    if ended:
        final = ended[-1]
        numbers = {s.pk: s.number for s in catalog_cache.stages()}
        locked.final_stay_stage_number, locked.final_stay_days = numbers[final.to_stage_id], final.days
    locked.status = outcome
    locked.close_note = note
    locked.closed_at = now
    attribute_change(locked, by)
    locked.save()
    Task.objects.open().filter(project=locked, kind=Task.Kind.STAGE).update(done_at=now)
    project_changed(project=locked)
    _copy_back(locked, project)
    if override_reason:
        emit("gate_overridden", project=locked, change=change, by=by)
    return change


@transaction.atomic
def project_reopen(*, project: Project, by: User, reason: str) -> StageChange:
    """Undo a close made in error: a manager's action, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("重新打开必须说明原因。")}, code="reason_required")
    locked = _lock(project)
    if locked.is_open:
        raise ValidationError(_("项目没有结案。"), code="open")
    if not can_override_gate(project=locked, user=by):
        raise PermissionDenied(_("只有销售经理可以重新打开项目。"))
    closed_on = timezone.localtime(locked.closed_at).date() if locked.closed_at else None
    change, _ended = _record_change(
        project=locked,
        kind=StageChange.Kind.REOPEN,
        from_stage=locked.stage,
        to_stage=locked.stage,
        by=by,
        reason=reason,
    )
    locked.status = Project.Status.OPEN
    locked.lost_reason = ""
    locked.closed_at = None
    locked.final_stay_stage_number = locked.final_stay_days = None
    locked.last_activity_at = change.at
    attribute_change(locked, by)
    locked.save()
    stage_tasks_create(project=locked, by=by)
    project_changed(project=locked, since=closed_on)  # the month it was won or lost counts it no more
    _copy_back(locked, project)
    return change


@transaction.atomic
def project_observe_customer_stage(
    *, project: Project, stage: StageDefinition, by: User, observed_on: datetime.date | None = None, note: str = ""
) -> CustomerStageObservation:
    """Record where the customer's procurement stands; every observation is kept."""
    observed_on = observed_on or timezone.localdate()
    if observed_on > timezone.localdate():
        raise ValidationError({"observed_on": _("观察日期不能晚于今天。")}, code="future")
    locked = _lock(project)
    observation = CustomerStageObservation.objects.create(
        project=locked, stage=stage, observed_on=observed_on, note=(note or "").strip(), by=by
    )
    locked.customer_stage = stage
    locked.customer_stage_observed_on = observed_on
    locked.last_activity_at = observation.recorded_at
    attribute_change(locked, by)
    locked.save(update_fields=["customer_stage", "customer_stage_observed_on", "last_activity_at", "updated_at"])
    project_changed(project=locked)
    _copy_back(locked, project)
    return observation


@transaction.atomic
def condition_check_set(*, project: Project, condition: StageCondition, by: User, done: bool, note: str = "") -> None:
    """Tick or untick a checklist condition; ticking finishes the stage task made for it."""
    if condition.kind != StageCondition.Kind.CHECKLIST:
        raise ValidationError(_("这个条件由系统根据项目资料判断,不能手工勾选。"), code="not_manual")
    if done:
        ConditionCheck.objects.get_or_create(
            project=project, condition=condition, defaults={"by": by, "note": (note or "").strip()[:200]}
        )
    else:
        ConditionCheck.objects.filter(project=project, condition=condition).delete()
    stage_tasks_sync(project=project)


def stage_tasks_create(*, project: Project, by: User) -> list[Task]:
    """A task for each unmet condition of the project's current stage, unless one is already open."""
    statuses = current_stage_statuses(projects=[project])[project.pk]
    existing = set(
        Task.objects.open().filter(project=project, kind=Task.Kind.STAGE).values_list("condition_id", flat=True)
    )
    today = timezone.localdate()
    tasks = [
        Task(
            project=project,
            customer_id=project.customer_id,
            kind=Task.Kind.STAGE,
            title=s.text,
            owner_id=project.owner_id,
            team_id=project.team_id,
            condition=s.condition,
            due_date=today + datetime.timedelta(days=s.condition.task_days),
            created_by=by,
        )
        for s in statuses
        if not s.met and s.condition.pk not in existing
    ]
    return Task.objects.bulk_create(tasks)


def stage_tasks_sync(*, project: Project) -> None:
    """Finish the open stage tasks whose condition is now met, and reopen none."""
    statuses = current_stage_statuses(projects=[project])[project.pk]
    met = [s.condition.pk for s in statuses if s.met]
    Task.objects.open().filter(project=project, kind=Task.Kind.STAGE, condition_id__in=met).update(
        done_at=timezone.now()
    )


@transaction.atomic
def task_create(
    *,
    customer: Customer,
    title: str,
    owner: User,
    due_date: datetime.date,
    by: User,
    kind: str = Task.Kind.OTHER,
    project: Project | None = None,
) -> Task:
    """A to-do with an owner and a date: next contacts and promises from the forms land here too."""
    return Task.objects.create(
        customer=customer,
        project=project,
        kind=kind,
        title=title.strip()[:200],
        owner=owner,
        team_id=owner.team_id,
        due_date=due_date,
        created_by=by,
    )


@dataclass(frozen=True)
class TaskSpec:
    """A task a record asks for; ``key`` tells it apart from the record's other tasks."""

    key: str
    kind: str
    title: str
    owner: User
    due_date: datetime.date


@transaction.atomic
def tasks_sync_from_source(
    *, source: str, specs: list[TaskSpec], customer: Customer, project: Project | None, by: User
) -> list[Task]:
    """Make the tasks a record (``source``, e.g. "F05:12") asks for, once however often it is handed in.

    A task already made for the same key is brought up to date (its title, owner and date may have
    been edited since) and keeps whether it was done; an open task whose row has since been removed
    from the record goes.
    """
    prefix = f"{source}:"
    existing = {t.source: t for t in Task.objects.select_for_update().filter(source__startswith=prefix)}
    kept = []
    for spec in specs:
        key = f"{prefix}{spec.key}"[:64]
        title = spec.title.strip()[:200]
        task = existing.pop(key, None)
        if task is None:
            kept.append(
                Task.objects.create(
                    customer=customer,
                    project=project,
                    kind=spec.kind,
                    title=title,
                    owner=spec.owner,
                    team_id=spec.owner.team_id,
                    due_date=spec.due_date,
                    created_by=by,
                    source=key,
                )
            )
            continue
        changed = {"title": title, "owner_id": spec.owner.pk, "team_id": spec.owner.team_id, "due_date": spec.due_date}
        if any(getattr(task, name) != value for name, value in changed.items()):
            for name, value in changed.items():
                setattr(task, name, value)
            task.save(update_fields=["title", "owner", "team", "due_date"])
        kept.append(task)
    Task.objects.filter(pk__in=[t.pk for t in existing.values() if t.done_at is None]).delete()
    return kept


def task_set_done(*, task: Task, done: bool) -> Task:
    task.done_at = timezone.now() if done else None
    task.save(update_fields=["done_at"])
    return task


@transaction.atomic
def project_member_add(*, project: Project, user: User, role: str, by: User | None = None) -> ProjectMember:
    """Put someone on the project team; they then read and edit the project whatever their own team."""
    if project.members.filter(user=user).exists():
        raise ValidationError(_("此人已在项目组中。"), code="duplicate")
    member = ProjectMember.objects.create(project=project, user=user, role=role)
    emit("project_member_added", member=member, by=by)
    return member


def project_member_remove(*, member: ProjectMember) -> None:
    if member.user_id == member.project.owner_id:
        raise ValidationError(_("项目负责人不能移出项目组。"), code="owner")
    member.delete()


@transaction.atomic
def project_maps_saved(*, project: Project) -> None:
    """After the buying center or procurement map changed: conditions may now be met."""
    stage_tasks_sync(project=project)
