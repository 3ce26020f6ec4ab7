from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from contacts.models import Contact, DecisionMakerProfile


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "title", "customer", "influence", "owner")
    search_fields = ("name", "customer__name")
    raw_id_fields = ("customer", "reports_to")


@admin.register(DecisionMakerProfile)
class DecisionMakerProfileAdmin(SimpleHistoryAdmin):
    raw_id_fields = ("contact",)
