"""Who was told what, and how it reached them.

A ``Notification`` is one event for one person: the bell lists it, and it is the record that they
were told (made once per event and person: its ``key``). Each way out beyond the bell is a
``Delivery`` (an email, a message to a 企业微信 / 钉钉 / 飞书 group robot), sent by a Celery task
after the change that caused it committed, retried with backoff, and made once per event and
address, so a robot shared by a team posts an event once however many of the team it concerns.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Event(models.TextChoices):
    SIGNATURE_AWAITED = "signature", _("表单等待您签字")
    FORM_DECIDED = "decided", _("您的表单被退回或批准")
    TASK_DIGEST = "digest", _("任务明天到期或已逾期(每天早上一次)")
    ANOMALY = "anomaly", _("本团队出现严重异常")
    GATE_OVERRIDDEN = "override", _("越过阶段关口推进(致销售总监)")
    MEMBER_ADDED = "member", _("您被加入项目组")


class Channel(models.TextChoices):
    IN_APP = "app", _("站内消息")
    EMAIL = "email", _("邮件")
    ROBOT = "robot", _("群机器人")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.CharField(_("事件"), max_length=16, choices=Event)
    # The event, told apart from every other (the idempotency key): "F05:12:submitted:3".
    key = models.CharField(max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    in_app = models.BooleanField(default=True)  # shown under the bell (the user's choice for this event)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="one_notification_per_event")]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"], condition=Q(in_app=True, read_at__isnull=True), name="unread_bell"
            ),
            models.Index(fields=["recipient", "in_app", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Robot(models.Model):
    """A group robot's webhook: a team's (its manager sets it up) or one person's own."""

    class Kind(models.TextChoices):
        WECOM = "wecom", _("企业微信")
        DINGTALK = "dingtalk", _("钉钉")
        FEISHU = "feishu", _("飞书")

    kind = models.CharField(_("平台"), max_length=10, choices=Kind)
    name = models.CharField(_("名称"), max_length=60, blank=True)
    url = models.URLField(_("Webhook 地址"), max_length=500)
    # 钉钉's and 飞书's 加签 secret: each message is signed with it (HMAC-SHA256) when set.
    secret = models.CharField(_("加签密钥"), max_length=200, blank=True)
    team = models.ForeignKey(
        "accounts.Team", verbose_name=_("团队"), on_delete=models.CASCADE, null=True, blank=True, related_name="robots"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="robots"
    )
    active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")
        ordering = ["kind", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False, user__isnull=True) | Q(team__isnull=True, user__isnull=False),
                name="robot_of_a_team_or_a_person",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=10)  # "email" or a robot's kind
    # The address, once per event: "email:li@example.com", "robot:3".
    target = models.CharField(max_length=320)
    key = models.CharField(max_length=120)
    robot = models.ForeignKey(Robot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("消息发送")
        verbose_name_plural = _("消息发送")
        ordering = ["-pk"]
        constraints = [models.UniqueConstraint(fields=["key", "target"], name="one_delivery_per_event_and_address")]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], condition=~Q(status="sent"), name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.key}"


class ChannelChoice(models.Model):
    """Which ways out a person wants for each event; an event not listed takes the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_choice")
    channels = models.JSONField(default=dict)  # {event: [channel, ...]}

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("通知方式")
        verbose_name_plural = _("通知方式")

    def __str__(self) -> str:
        return str(self.user)

    def for_event(self, event: str) -> set[str]:
        chosen = self.channels.get(event)
        return set(Channel.values) if chosen is None else set(chosen) & set(Channel.values)
