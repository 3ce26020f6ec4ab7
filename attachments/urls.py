from django.urls import path

from attachments import views

app_name = "attachments"
urlpatterns = [
    path("projects/<int:pk>/", views.files_section, {"kind": "project"}, name="project"),
    path("customers/<int:pk>/", views.files_section, {"kind": "customer"}, name="customer"),
    path("forms/<str:code>/<int:pk>/", views.files_section, {"kind": "form"}, name="form"),
    path("<int:pk>/download/", views.download, name="download"),
    path("<int:pk>/thumbnail/", views.thumbnail, name="thumbnail"),
    path("<int:pk>/remove/", views.remove, name="remove"),
]
