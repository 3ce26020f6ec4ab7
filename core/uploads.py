"""What an upload must be before it is kept: within the size limit, of a type we take (office
documents, PDF, images), and truly that type. The content is read, not the name or the browser's
word: an HTML page, an SVG or a script renamed to .pdf or .jpg is refused."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003, Excel 97-2003, PowerPoint 97-2003
_ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileType:
    content_type: str
    family: str  # what the content must look like: pdf, png, jpeg, gif, webp, heic, ole2, ooxml, odf


TYPES: dict[str, FileType] = {
    ".pdf": FileType("application/pdf", "pdf"),
    ".png": FileType("image/png", "png"),
    ".jpg": FileType("image/jpeg", "jpeg"),
    ".jpeg": FileType("image/jpeg", "jpeg"),
    ".gif": FileType("image/gif", "gif"),
    ".webp": FileType("image/webp", "webp"),
    ".heic": FileType("image/heic", "heic"),
    ".heif": FileType("image/heif", "heic"),
    ".doc": FileType("application/msword", "ole2"),
    ".xls": FileType("application/vnd.ms-excel", "ole2"),
    ".ppt": FileType("application/vnd.ms-powerpoint", "ole2"),
    ".docx": FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml"),
    ".xlsx": FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml"),
    ".pptx": FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml"),
    ".odt": FileType("application/vnd.oasis.opendocument.text", "odf"),
    ".ods": FileType("application/vnd.oasis.opendocument.spreadsheet", "odf"),
    ".odp": FileType("application/vnd.oasis.opendocument.presentation", "odf"),
}

# Markup a browser would run if it ever rendered the file: refused in any file, whatever it claims.
_MARKUP = (b"<!doctype html", b"<html", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")


def accepted_suffixes() -> list[str]:
    return [s for s in TYPES if s in settings.ATTACHMENT_SUFFIXES]


def _looks_like(family: str, head: bytes, upload) -> bool:
    if family == "pdf":
        return head.startswith(b"%PDF-")
    if family == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if family == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if family == "gif":
        return head[:6] in (b"GIF87a", b"GIF89a")
    if family == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if family == "heic":
        return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"heif", b"mif1", b"msf1", b"hevc")
    if family == "ole2":
        return head.startswith(_OLE2)
    if family in ("ooxml", "odf"):
        if not head.startswith(_ZIP):
            return False
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names if family == "ooxml" else "mimetype" in names
    return False


def check_upload(upload) -> FileType:
    """The type the file is kept and sent as; ValidationError (in the user's language) when it may not be kept."""
    name = upload.name or ""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            _("“%(name)s”有 %(size)s,超过了 %(limit)s 的上限。")
            % {
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
            },
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("“%(name)s”是空文件。") % {"name": name}, code="empty")
    suffix = PurePosixPath(name).suffix.lower()
    file_type = TYPES.get(suffix) if suffix in settings.ATTACHMENT_SUFFIXES else None
    if file_type is None:
        raise ValidationError(
            _("不能上传“%(name)s”:只接受 %(types)s 文件。") % {"name": name, "types": " ".join(accepted_suffixes())},
            code="type",
        )
    upload.seek(0)
    head = upload.read(4096)
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if any(marker in lowered[:1024] for marker in _MARKUP) or not _looks_like(file_type.family, head, upload):
        raise ValidationError(_("“%(name)s”的内容与其文件类型不符,不能上传。") % {"name": name}, code="disguised")
    upload.seek(0)
    return file_type
