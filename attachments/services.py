"""Every write of an attachment: kept with its record, or removed (its history row stays)."""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import transaction

from attachments.models import Attachment
from core.history import attribute_change
from core.uploads import check_upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile
    from django.db.models import Model

    from accounts.models import User

log = logging.getLogger(__name__)
THUMBNAIL_PX = 320
THUMBNAILED = ("image/jpeg", "image/png", "image/gif", "image/webp")


def _thumbnail(upload: UploadedFile) -> ContentFile | None:
    """A small JPEG of an image (None for what Pillow cannot read, e.g. HEIC without its plugin)."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))  # JPEGs decode at a fraction of their size
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        log.info("no thumbnail for %s", getattr(upload, "name", "?"))
        return None
    finally:
        upload.seek(0)
    return ContentFile(out.getvalue(), name="thumbnail.jpg")


@transaction.atomic
def attachments_add(
    *, record_field: str, record: Model, uploads: list[UploadedFile], kind: str, caption: str, by: User
) -> list[Attachment]:
    """Keep each of ``uploads`` with ``record`` (``record_field``: project, customer or form). All or
    nothing: one refused file refuses the lot (ValidationError), so the user fixes it and sends again."""
    types = [check_upload(upload) for upload in uploads]
    saved: list[Attachment] = []
    try:
        for upload, file_type in zip(uploads, types, strict=True):
            attachment = Attachment(
                **{record_field: record},
                name=(upload.name or "file")[:255],
                content_type=file_type.content_type,
                size=upload.size or 0,
                kind=kind,
                caption=caption.strip()[:200],
                uploaded_by=by,
            )
            saved.append(attachment)
            if file_type.content_type in THUMBNAILED:
                thumbnail = _thumbnail(upload)
                if thumbnail is not None:
                    attachment.thumbnail.save("thumbnail.jpg", thumbnail, save=False)
            attachment.file.save(upload.name or "file", upload, save=False)
            attribute_change(attachment, by)
            attachment.save()
    except BaseException:
        for attachment in saved:  # no row is kept: neither are its stored files
            _delete_files(attachment)
        raise
    return saved


def _delete_files(attachment: Attachment) -> None:
    for field in (attachment.file, attachment.thumbnail):
        if field.name:
            field.storage.delete(field.name)


@transaction.atomic
def attachment_remove(*, attachment: Attachment, by: User) -> None:
    """The row goes (its history keeps the name, size, who brought it and who removed it); the stored
    files are deleted once the removal is committed."""
    attribute_change(attachment, by)
    files = (attachment.file.storage, attachment.file.name, attachment.thumbnail.name)
    attachment.delete()

    def delete_files() -> None:
        storage, name, thumbnail = files
        for stored in (name, thumbnail):
            if stored:
                storage.delete(stored)

    transaction.on_commit(delete_files)
