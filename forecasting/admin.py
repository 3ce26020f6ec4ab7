from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from forecasting.models import Anomaly, DealControlSettings, SalesTarget


@admin.register(DealControlSettings)
class DealControlSettingsAdmin(SimpleHistoryAdmin):
    """The thresholds of deal control: one row, edited by admins, every change kept."""

    list_display = ("__str__", "learning_min_closed", "stall_factor", "idle_days", "updated_at")

    def has_add_permission(self, request):
        return not DealControlSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        DealControlSettings.current()  # the row exists before anyone looks for it
        return super().changelist_view(request, extra_context)


@admin.register(SalesTarget)
class SalesTargetAdmin(SimpleHistoryAdmin):
    list_display = ("month", "team", "owner", "amount")
    list_filter = ("team", "month")


@admin.register(Anomaly)
class AnomalyAdmin(admin.ModelAdmin):
    list_display = ("kind", "severity", "project", "customer", "owner", "status", "since")
    list_filter = ("kind", "severity", "status")
    readonly_fields = [f.name for f in Anomaly._meta.fields]
    search_fields = ("project__name", "customer__name")

    def has_add_permission(self, request):
        return False
