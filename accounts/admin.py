from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "region")
    search_fields = ("name",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + ((_("销售组织"), {"fields": ("role", "team", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("销售组织"), {"fields": ("role", "team")}),)
