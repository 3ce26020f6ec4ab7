from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pipeline.models import Project, ProjectMember, StageChange, StageCondition, StageDefinition


class StageConditionInline(admin.TabularInline):
    model = StageCondition
    extra = 1
    fields = ("order", "kind", "text", "text_en", "form_type", "task_days", "is_active")


@admin.register(StageDefinition)
class StageDefinitionAdmin(admin.ModelAdmin):
    """The stage catalog is data: admins edit names, milestones, probabilities and conditions here."""

    list_display = ("number", "name", "customer_stage", "milestone", "default_probability")
    ordering = ("number",)
    inlines = [StageConditionInline]


class ProjectMemberInline(admin.TabularInline):
    model = ProjectMember
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    list_display = ("number", "name", "customer", "owner", "stage", "status", "amount", "expected_close_date")
    list_filter = ("status", "stage", "team")
    search_fields = ("number", "name", "customer__name")
    raw_id_fields = ("customer", "owner")
    inlines = [ProjectMemberInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("project", "kind", "from_stage", "to_stage", "by", "at", "override_reason")
    list_filter = ("kind",)
    raw_id_fields = ("project",)
