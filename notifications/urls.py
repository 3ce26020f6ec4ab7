from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell/", views.bell, name="bell"),
    path("read/", views.notifications_read, name="read"),
    path("<int:pk>/", views.notification_open, name="open"),
    path("settings/", views.settings_page, name="settings"),
    path("robots/<int:pk>/remove/", views.robot_remove, name="robot-remove"),
]
