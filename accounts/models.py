from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Team(models.Model):
    name = models.CharField(_("团队名称"), max_length=100, unique=True)
    region = models.CharField(_("区域"), max_length=100, blank=True)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("销售团队")
        verbose_name_plural = _("销售团队")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    class Role(models.TextChoices):
        REP = "rep", _("销售代表")
        MANAGER = "manager", _("销售经理")
        DIRECTOR = "director", _("销售总监")
        ADMIN = "admin", _("系统管理员")

    role = models.CharField(_("角色"), max_length=16, choices=Role, default=Role.REP)
    team = models.ForeignKey(
        Team,
        verbose_name=_("所属团队"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("电话"), max_length=40, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["rep", "manager"]) | models.Q(team__isnull=False),
                name="rep_and_manager_belong_to_a_team",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.last_name}{self.first_name}".strip()
        return full or self.username

    @property
    def is_rep(self) -> bool:
        return self.role == self.Role.REP

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def sees_everything(self) -> bool:
        """Directors and admins read and edit across all teams."""
        return self.role in (self.Role.DIRECTOR, self.Role.ADMIN) or self.is_superuser

    def manages(self, team_id: int | None) -> bool:
        return self.is_manager and team_id is not None and self.team_id == team_id


class DrawnSignature(models.Model):
    """A signer's handwritten signature, drawn once (finger on a phone, or a mouse) and printed on the
    signature lines of the forms they approve. A sign-off keeps its own copy, so drawing a new one
    later never changes what was signed."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="drawn_signature")
    png = models.BinaryField(_("签名图像"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("手写签名")
        verbose_name_plural = _("手写签名")

    def __str__(self) -> str:
        return f"{self.user}"
