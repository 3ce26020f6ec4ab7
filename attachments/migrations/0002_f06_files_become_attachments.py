"""F06's 资料附件 was a file field that could be stored but never downloaded: each such file becomes
an attachment of its form (the same stored file, read through the attachments' checked download)."""

from pathlib import PurePosixPath

from django.db import migrations

SUFFIX_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def forward(apps, schema_editor):
    ResourceRequest = apps.get_model("forms_toolkit", "ResourceRequest")
    FormRecord = apps.get_model("forms_toolkit", "FormRecord")
    Attachment = apps.get_model("attachments", "Attachment")
    for form in ResourceRequest.objects.exclude(attachment="").exclude(attachment__isnull=True).iterator():
        record = FormRecord.objects.filter(form_code="F06", form_id=form.pk).first()
        if record is None:
            continue
        name = form.attachment.name
        try:
            size = form.attachment.storage.size(name)
        except OSError:
            size = 0
        Attachment.objects.create(
            form=record,
            file=name,
            name=PurePosixPath(name).name[:255],
            # a type it was never checked for is sent as plain bytes, to download
            content_type=SUFFIX_TYPES.get(PurePosixPath(name).suffix.lower(), "application/octet-stream"),
            size=size,
            kind="other",
            caption="资料附件",
            uploaded_by_id=form.filled_by_id,
        )


class Migration(migrations.Migration):
    dependencies = [("attachments", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
