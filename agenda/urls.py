from django.urls import path

from agenda import views

app_name = "agenda"

urlpatterns = [
    path("", views.week, name="week"),
    path("month/", views.month, name="month"),
    path("subscribe/", views.feed_settings, name="settings"),
    path("subscribe/new/", views.feed_issue, name="feed-issue"),
    path("subscribe/stop/", views.feed_revoke, name="feed-revoke"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
]
