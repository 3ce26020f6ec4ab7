from django.contrib import admin

from core.models import DataExport


@admin.register(DataExport)
class DataExportAdmin(admin.ModelAdmin):
    """Read-only: what was exported stays as it was recorded."""

    list_display = ("at", "by", "table", "format", "rows", "page")
    list_filter = ("format", "table")
    search_fields = ("by__username", "table", "page")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
