from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import reverse

from attachments import access
from attachments.models import Attachment

if TYPE_CHECKING:
    from accounts.models import User
    from attachments.forms import UploadForm


def section_url(*, kind: str, pk: int, code: str = "") -> str:
    if kind == "form":
        return reverse("attachments:form", args=[code, pk])
    return reverse(f"attachments:{kind}", args=[pk])


def holder_url(holder: access.Holder) -> str:
    if holder.field == "form":
        return section_url(kind="form", pk=holder.record.form_id, code=holder.record.form_code)
    return section_url(kind=holder.field, pk=holder.record.pk)


def files_context(*, holder: access.Holder, user: User, form: UploadForm) -> dict[str, Any]:
    files = list(Attachment.objects.filter(**holder.lookup).select_related("uploaded_by"))
    may_add = holder.owner.is_editable_by(user)
    for attachment in files:
        attachment.removable = access.may_remove(attachment, holder, user)  # type: ignore[attr-defined]
    return {
        "holder": holder,
        "files": files,
        "signed_scans": [a for a in files if a.kind == Attachment.Kind.SIGNED_SCAN],
        "may_add": may_add,
        "upload_form": form,
        "section_url": holder_url(holder),
        "is_form": holder.field == "form",
    }
