from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.visibility import TeamScopedMixin, TeamScopedQuerySet


class Kind(models.TextChoices):
    CUSTOMERS = "customers", _("客户")
    CONTACTS = "contacts", _("联系人")
    PROJECTS = "projects", _("销售项目")


class ImportRunQuerySet(TeamScopedQuerySet):
    team_path = "team"
    owner_paths = ("created_by",)


class ImportRun(TeamScopedMixin, models.Model):
    """One spreadsheet brought in: its columns mapped to fields, checked (a dry run), then imported
    in one transaction, or cancelled; undone while nothing has touched its rows since."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("待核对列")
        CHECKING = "checking", _("正在检查")
        CHECKED = "checked", _("已检查,待确认")
        IMPORTING = "importing", _("正在导入")
        DONE = "done", _("已导入")
        CANCELLED = "cancelled", _("已取消")
        UNDONE = "undone", _("已撤销")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("导入内容"), max_length=16, choices=Kind)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("文件名"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("所属团队"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status, default=Status.UPLOADED)
    # The file's header row as read, the line it is on, and which field each column fills ("" for none).
    headers = models.JSONField(default=list)
    header_line = models.PositiveIntegerField(default=1)
    mapping = models.JSONField(default=list)
    total = models.PositiveIntegerField(_("行数"), default=0)
    counts = models.JSONField(default=dict)  # outcome -> rows, of the last check or of the import
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    checked_at = models.DateTimeField(_("检查时间"), null=True, blank=True)
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["headers", "mapping", "counts"])
    objects = ImportRunQuerySet.as_manager()

    team_path = "team"
    owner_paths = ("created_by",)

    class Meta:
        verbose_name = _("导入")
        verbose_name_plural = _("导入")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["team", "-created_at"]), models.Index(fields=["created_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def history_reason(self) -> str:
        """What the history of every row it writes says: the import and its file."""
        return f"导入 #{self.pk}:{self.file_name[:60]}"


class ImportRow(models.Model):
    """What the check or the import did with one line of the file."""

    class Outcome(models.TextChoices):
        NEW = "new", _("新增")
        UPDATE = "update", _("更新")
        UNCHANGED = "unchanged", _("无变化")
        REFUSED = "refused", _("拒绝")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("行号"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome)
    reason = models.TextField(_("原因"), blank=True)
    warning = models.TextField(_("提示"), blank=True)
    title = models.CharField(_("记录"), max_length=200, blank=True)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # the line as read, kept for refused lines only: they are downloaded to be fixed and imported again
    values = models.JSONField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入行")
        verbose_name_plural = _("导入行")
        ordering = ["run", "line"]
        indexes = [models.Index(fields=["run", "outcome", "line"])]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.line}"
