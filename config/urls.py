from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    path("customers/", include("customers.urls")),
    path("contacts/", include("contacts.urls")),
    path("projects/", include("pipeline.urls")),
    path("forms/", include("forms_toolkit.urls")),
    path("control/", include("forecasting.urls")),
    path("files/", include("attachments.urls")),
    path("notifications/", include("notifications.urls")),
    path("calendar/", include("agenda.urls")),
    path("imports/", include("imports.urls")),
    path("admin/", admin.site.urls),
]
