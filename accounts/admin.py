from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Team, User


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name", "region")
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    # role, team and active flag: who changed them, from what to what (历史 on the user's page)
    history_list_display = ("role", "team", "is_active")
    list_display = ("username", "display_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("销售组织"), {"fields": ("role", "team", "phone")}))
    add_fieldsets = (*BaseUserAdmin.add_fieldsets, (_("销售组织"), {"fields": ("role", "team")}))
