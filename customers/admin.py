from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from customers.models import Customer


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "category", "industry", "owner", "team", "is_reviewed")
    list_filter = ("category", "industry", "team")
    search_fields = ("name", "code")
