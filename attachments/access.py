"""Whose files a user may read or add to: exactly as the record they belong to (the visibility
module's rule: another team's record answers 404, a record the user only reads answers 403 to a write)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.visibility import get_editable_or_404, get_visible_or_404
from attachments.models import Attachment


@dataclass
class Holder:
    """The record files are kept with, and where its files section lives."""

    field: str  # the Attachment field naming it: project, customer or form
    record: Any  # the Project, Customer or FormRecord
    owner: Any  # what visibility and editing are judged on (the paper form itself, for a form)

    @property
    def lookup(self) -> dict[str, Any]:
        return {self.field: self.record}


def _project(pk: int, user, *, edit: bool):
    from pipeline.models import Project

    fetch = get_editable_or_404 if edit else get_visible_or_404
    return fetch(Project.objects.select_related("customer"), user, pk=pk)


def _customer(pk: int, user, *, edit: bool):
    from customers.models import Customer

    fetch = get_editable_or_404 if edit else get_visible_or_404
    return fetch(Customer.objects.all(), user, pk=pk)


def _form(code: str, pk: int, user, *, edit: bool):
    from forms_toolkit.models import FormRecord
    from forms_toolkit.registry import registry

    form_type = registry.get(code)
    if form_type is None:
        raise Http404
    fetch = get_editable_or_404 if edit else get_visible_or_404
    form = fetch(form_type.model.objects.select_related("project", "customer"), user, pk=pk)
    record = get_object_or_404(FormRecord, form_code=form_type.code, form_id=form.pk)
    return record, form


def holder(kind: str, user, *, pk: int, code: str = "", edit: bool = False) -> Holder:
    """The record named in a URL (``kind``: project, customer or form) if ``user`` may see it (add to it, with ``edit``)."""
    if kind == "project":
        project = _project(pk, user, edit=edit)
        return Holder("project", project, project)
    if kind == "customer":
        customer = _customer(pk, user, edit=edit)
        return Holder("customer", customer, customer)
    if kind == "form":
        record, form = _form(code, pk, user, edit=edit)
        return Holder("form", record, form)
    raise Http404


def holder_of(attachment: Attachment, user, *, edit: bool = False) -> Holder:
    """The record an attachment belongs to, judged for ``user`` as that record is."""
    if attachment.project_id is not None:
        return holder("project", user, pk=attachment.project_id, edit=edit)
    if attachment.customer_id is not None:
        return holder("customer", user, pk=attachment.customer_id, edit=edit)
    record = attachment.form
    if record is None:  # the check constraint keeps it from happening: a file belongs to one record
        raise Http404
    return holder("form", user, pk=record.form_id, code=record.form_code, edit=edit)


def readable_or_404(pk: int, user) -> Attachment:
    attachment = get_object_or_404(Attachment.objects.select_related("form"), pk=pk)
    holder_of(attachment, user)
    return attachment


def may_remove(attachment: Attachment, holder: Holder, user) -> bool:
    """Who brought it, or whoever may edit its record as a manager or director does."""
    if not holder.owner.is_editable_by(user):
        return False
    return attachment.uploaded_by_id == user.pk or user.sees_everything or user.is_manager
