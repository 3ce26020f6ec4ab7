"""Writes to stage forms: create, save with optimistic locking, submit, approve or return."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.signatures import signature_of
from core.events import emit
from core.history import attribute_change
from core.models import AuditBlock
from core.services import audit_block_register, number_next
from forms_toolkit.models import FormRecord, Signoff, StageForm
from forms_toolkit.registry import ApprovalStep, FormType
from pipeline import services as pipeline_services
from pipeline.hooks import activity_changed

if TYPE_CHECKING:
    from accounts.models import User
    from customers.models import Customer
    from pipeline.models import Project


class EditConflict(Exception):
    """Someone saved the form after this user opened it; ``current`` is what they saved."""

    def __init__(self, current: StageForm):
        self.current = current
        super().__init__(current.number)


def _save_rows(form_type: FormType, form: StageForm, formsets: dict) -> None:
    for formset in formsets.values():
        formset.instance = form
        formset.save()
    if form_type.after_save:
        form_type.after_save(form, formsets)


@transaction.atomic
def stage_form_create(
    *,
    form_type: FormType,
    form: StageForm,
    formsets: dict,
    by: User,
    project: Project | None = None,
    customer: Customer | None = None,
) -> StageForm:
    """Save a new form on its project (or customer) with its rows; it starts as a draft."""
    if project is not None:
        form.project = project
        form.customer_id = project.customer_id
        form.team_id = project.team_id
    elif customer is not None:
        form.customer = customer
        form.team_id = customer.team_id
    else:
        raise ValueError("a form is filled on a project or a customer")
    form.filled_by = by
    form.number = number_next(prefix=form_type.code)
    if isinstance(form, AuditBlock):
        audit_block_register(record=form, by=by)
    else:
        attribute_change(form, by)
        form.save()
    _save_rows(form_type, form, formsets)
    _touch(form)
    activity_changed(owner_ids=[form.filled_by_id], since=form.filled_on)
    return form


def _touch(form: StageForm) -> None:
    """A form written on a project is activity on it (calls and visits are forms too)."""
    if form.project_id:
        pipeline_services.project_touch(project_id=form.project_id)


@transaction.atomic
def stage_form_update(
    *, form_type: FormType, form: StageForm, formsets: dict, by: User, expected_version: int | None
) -> StageForm:
    """Save edits unless someone else saved since ``expected_version``; then nothing is written and both are shown."""
    current = type(form).objects.select_for_update().get(pk=form.pk)
    if expected_version is not None and current.version != expected_version:
        raise EditConflict(current)
    if not current.is_editable_status:
        raise ValidationError(_("已提交或已批准的表单不能修改;被退回后可以修改。"), code="locked")
    form.version = current.version + 1
    attribute_change(form, by)
    form.save()
    _save_rows(form_type, form, formsets)
    _touch(form)
    # a form moved to another date leaves one month's count and joins another's
    activity_changed(owner_ids=[form.filled_by_id], since=min(current.filled_on, form.filled_on))
    return form


@transaction.atomic
def stage_form_submit(*, form: StageForm, by: User) -> StageForm:
    """Hand the form in for sign-off; the tasks it asks for are made (once, however often it is handed in).

    The row is locked first: of two clicks on 提交 the second finds the form handed in and is refused.
    """
    locked = type(form).objects.select_for_update().get(pk=form.pk)
    if not locked.is_editable_status:
        raise ValidationError(_("这张表单已经提交。"), code="submitted")
    form_type = form.form_type
    locked.status = StageForm.Status.SUBMITTED
    locked.submitted_at = timezone.now()
    locked.awaiting_step = form_type.approval_steps[0].code
    locked.version += 1
    attribute_change(locked, by)
    locked.save(update_fields=["status", "submitted_at", "awaiting_step", "version", "updated_at"])
    for name in ("status", "submitted_at", "awaiting_step", "version", "updated_at"):
        setattr(form, name, getattr(locked, name))
    if form_type.tasks:
        pipeline_services.tasks_sync_from_source(
            source=f"{form_type.code}:{form.pk}",
            specs=form_type.tasks(form),
            customer=form.customer,
            project=form.project,
            by=by,
        )
    if form.project is not None:
        pipeline_services.stage_tasks_sync(project=form.project)
    _touch(form)
    activity_changed(owner_ids=[form.filled_by_id], since=form.filled_on)
    emit("form_submitted", form=form, by=by)
    return form


def next_step(form: StageForm) -> ApprovalStep | None:
    """The approval step the form waits for, or None."""
    for step in form.form_type.approval_steps:
        if step.code == form.awaiting_step:
            return step
    return None


def _step_after(form: StageForm, code: str) -> str:
    codes = [step.code for step in form.form_type.approval_steps]
    index = codes.index(code) + 1
    return codes[index] if index < len(codes) else ""


def _round(form: StageForm) -> int:
    returned = Signoff.objects.filter(record=_record(form), decision=Signoff.Decision.RETURNED).count()
    return returned + 1


def signed_this_round(form: StageForm, signoffs: list[Signoff] | None = None) -> set[int]:
    """Who has signed a step of the form since it was last handed in (four eyes: not again)."""
    if signoffs is None:
        signoffs = signoffs_for(form)
    current = sum(1 for s in signoffs if s.decision == Signoff.Decision.RETURNED) + 1
    return {s.by_id for s in signoffs if s.round == current and s.decision == Signoff.Decision.APPROVED}


@transaction.atomic
def stage_form_decide(
    *, form: StageForm, by: User, approve: bool, advice: str = "", use_signature: bool = False
) -> Signoff:
    """Sign the current step (approve) or send the form back with advice (return); with
    ``use_signature`` the signer's drawn signature is kept with the sign-off, to be printed."""
    locked = type(form).objects.select_for_update().get(pk=form.pk)
    if locked.status != StageForm.Status.SUBMITTED:
        raise ValidationError(_("只有已提交的表单可以审批。"), code="not_submitted")
    step = next_step(locked)
    if step is None or not step.may_sign(locked, by):
        raise PermissionDenied(_("您不是这一环节的审批人。"))
    if locked.filled_by_id == by.pk:
        raise ValidationError(_("不能审批自己填写的表单:这一环节由您的上级签字。"), code="own_form")
    if not step.allows(locked, by, signed_by=signed_this_round(locked)):
        raise ValidationError(_("您已签过本表单的另一环节,这一环节须由另一人签字。"), code="signed_twice")
    advice = (advice or "").strip()
    if not approve and not advice:
        raise ValidationError({"advice": _("退回时请写明领导建议。")}, code="advice_required")
    signoff = Signoff.objects.create(
        record=_record(locked),
        step=step.code,
        by=by,
        comment=advice,
        decision=Signoff.Decision.APPROVED if approve else Signoff.Decision.RETURNED,
        round=_round(locked),
        signature_png=signature_of(by) if use_signature else b"",
    )
    if advice:
        stamp = f"{by.display_name} {timezone.localtime():%Y-%m-%d}:{advice}"
        locked.manager_advice = f"{locked.manager_advice}\n{stamp}".strip()
    if not approve:
        locked.status = StageForm.Status.RETURNED
        locked.awaiting_step = ""
        locked.decided_at = timezone.now()
    else:
        locked.awaiting_step = _step_after(locked, step.code)
        if not locked.awaiting_step:
            locked.status = StageForm.Status.APPROVED
            locked.decided_at = timezone.now()
    locked.version += 1
    attribute_change(locked, by)
    locked.save()
    if locked.project is not None:
        pipeline_services.stage_tasks_sync(project=locked.project)
    emit("form_decided", form=locked, signoff=signoff, by=by)
    return signoff


def _record(form: StageForm) -> FormRecord:
    return FormRecord.objects.get(form_code=form.form_type.code, form_id=form.pk)


def signoffs_for(form: StageForm) -> list[Signoff]:
    return list(
        Signoff.objects.filter(record__form_code=form.form_type.code, record__form_id=form.pk).select_related("by")
    )
