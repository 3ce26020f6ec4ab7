"""A person's calendar feed: the secret address their phone's calendar subscribes to."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    # The address is the key: whoever has it reads the calendar, so it is long, random, and replaced
    # (the old one stops working) when its owner asks.
    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    last_read_at = models.DateTimeField(_("最近读取"), null=True, blank=True)

    # who changed what, when (the audit trail: tests/test_audit.py)
    history = HistoricalRecords(excluded_fields=["token", "last_read_at"])

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return str(self.user)
