"""Files kept with a record: a project's, a customer's or a paper form's (signed scans, tender
documents, drawings, site photos). The file lives in Django's storage (a local folder, or any
S3-compatible store by settings); the row says whose it is, what it is and who brought it."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def _stored_as(instance: Attachment, filename: str) -> str:
    # Our own name on disk (the user's name is kept on the row): nothing typed reaches a path.
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def _thumbnail_as(instance: Attachment, filename: str) -> str:
    return f"attachments/thumbnails/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class Attachment(models.Model):
    class Kind(models.TextChoices):
        SIGNED_SCAN = "signed", _("签字扫描件")
        TENDER = "tender", _("招标文件")
        DRAWING = "drawing", _("图纸")
        PHOTO = "photo", _("照片")
        OTHER = "other", _("其他")

    # Exactly one of the three: the record the file belongs to.
    project = models.ForeignKey(
        "pipeline.Project",
        verbose_name=_("销售项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    form = models.ForeignKey(
        "forms_toolkit.FormRecord",
        verbose_name=_("表单"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("文件"), upload_to=_stored_as, max_length=200)
    thumbnail = models.FileField(upload_to=_thumbnail_as, max_length=200, blank=True)
    name = models.CharField(_("文件名"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("大小"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind, default=Kind.OTHER)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                name="attachment_has_one_record",
                condition=(
                    models.Q(project__isnull=False, customer__isnull=True, form__isnull=True)
                    | models.Q(project__isnull=True, customer__isnull=False, form__isnull=True)
                    | models.Q(project__isnull=True, customer__isnull=True, form__isnull=False)
                ),
            )
        ]
        indexes = [
            models.Index(fields=["project", "-uploaded_at"], name="attachment_project"),
            models.Index(fields=["customer", "-uploaded_at"], name="attachment_customer"),
            models.Index(fields=["form", "-uploaded_at"], name="attachment_form"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("attachments:download", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
