from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditBlock(models.Model):
    """The paper's audit block: 信息登记日期 · 信息采集人 · 信息录入人 · 信息审核人 · 信息审核标记.

    信息修改记录 (the change history) comes from django-simple-history on the
    concrete model. The system fills what it knows: the registration date and
    who entered the record on creation, who reviewed it and when on review.
    """

    registered_on = models.DateField(_("信息登记日期"), null=True, blank=True, editable=False)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("信息采集人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("信息录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("信息审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    is_reviewed = models.BooleanField(_("信息审核标记"), default=False, editable=False)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def review_mark_label(self) -> str:
        return str(_("已审核") if self.is_reviewed else _("未审核"))

    def team_id_for_visibility(self) -> int | None:
        """The team whose manager reviews the record: the visibility mixin's (placed before this one) or the model's own."""
        raise NotImplementedError


class NumberSequence(models.Model):
    """The last number handed out for a key such as ``XM-2026`` or ``F05-2026``.

    Readable numbers (编号) come from here under a row lock, so two records made
    at once never share one and no number is skipped by a rolled-back request.
    """

    key = models.CharField(max_length=40, unique=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class DataExport(models.Model):
    """Who took which table out of the system, when, in what format (a download leaves no other trace)."""

    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("导出时间"), auto_now_add=True)
    page = models.CharField(_("页面"), max_length=200)
    table = models.CharField(_("表格"), max_length=100)
    format = models.CharField(_("格式"), max_length=8)
    rows = models.PositiveIntegerField(_("行数"))

    class Meta:
        verbose_name = _("数据导出记录")
        verbose_name_plural = _("数据导出记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.by} {self.table}.{self.format} {self.at:%Y-%m-%d %H:%M}"
