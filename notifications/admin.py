from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from notifications.models import Delivery, Notification, Robot


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "event", "title", "read_at"]
    list_filter = ["event"]
    search_fields = ["title", "key", "recipient__username"]
    raw_id_fields = ["recipient"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["pk", "key", "target", "status", "attempts", "sent_at", "next_attempt_at"]
    list_filter = ["status", "channel"]
    search_fields = ["key", "target"]
    raw_id_fields = ["notification", "robot"]


@admin.register(Robot)
class RobotAdmin(SimpleHistoryAdmin):
    list_display = ["kind", "name", "team", "user", "active"]
    list_filter = ["kind", "active"]
    raw_id_fields = ["user"]
