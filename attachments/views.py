from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attachments import access, selectors, services
from attachments.forms import UploadForm
from attachments.models import Attachment


def files_section(request, kind: str, pk: int, code: str = ""):
    """A record's files: the list and, for those who may add to the record, the upload form. A refused
    upload comes back with the reason, the kind and caption as typed (a file input cannot be refilled)."""
    holder = access.holder(kind, request.user, pk=pk, code=code, edit=request.method == "POST")
    form = UploadForm()
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = services.attachments_add(
                    record_field=holder.field,
                    record=holder.record,
                    uploads=form.cleaned_data["upload"],
                    kind=form.cleaned_data["kind"],
                    caption=form.cleaned_data["caption"],
                    by=request.user,
                )
            except ValidationError as refused:
                form.add_error("upload", refused)
            else:
                if not request.htmx:
                    messages.success(request, _("已上传 %(n)s 个文件。") % {"n": len(saved)})
                    return redirect(holder.owner)
                form = UploadForm()
        if form.errors and not request.htmx:
            status = 400  # htmx swaps only a 2xx answer in: the section comes back with the reason
    context = selectors.files_context(holder=holder, user=request.user, form=form)
    template = "attachments/files_section.html" if request.htmx else "attachments/files_page.html"
    return render(request, template, context, status=status)


def _sent(stored_file, **kwargs) -> FileResponse:
    """A stored file streamed, its type told and not to be guessed; 404 when the store has lost it."""
    try:
        opened = stored_file.open("rb")
    except OSError:
        raise Http404 from None
    response = FileResponse(opened, **kwargs)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download(request, pk: int):
    """The file as a download, never shown inline."""
    attachment = access.readable_or_404(pk, request.user)
    return _sent(attachment.file, as_attachment=True, filename=attachment.name, content_type=attachment.content_type)


def thumbnail(request, pk: int):
    attachment = access.readable_or_404(pk, request.user)
    if not attachment.thumbnail:
        raise Http404
    return _sent(attachment.thumbnail, content_type="image/jpeg")


@require_POST
def remove(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.select_related("form"), pk=pk)
    holder = access.holder_of(attachment, request.user)
    if not access.may_remove(attachment, holder, request.user):
        raise PermissionDenied
    services.attachment_remove(attachment=attachment, by=request.user)
    if request.htmx:
        context = selectors.files_context(holder=holder, user=request.user, form=UploadForm())
        return render(request, "attachments/files_section.html", context)
    messages.success(request, _("已删除附件“%(name)s”。") % {"name": attachment.name})
    return redirect(holder.owner)
