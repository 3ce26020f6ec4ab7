from django.urls import path

from forms_toolkit import views

app_name = "forms_toolkit"

urlpatterns = [
    path("", views.form_list, name="list"),
    path("queue/", views.approval_queue, name="queue"),
    path("checkins/", views.checkin_create, name="checkin"),
    path("checkins/<int:pk>/photo/", views.checkin_photo, name="checkin-photo"),
    path("<str:code>/new/", views.form_create, name="create"),
    path("<str:code>/<int:pk>/", views.form_detail, name="detail"),
    path("<str:code>/<int:pk>/edit/", views.form_update, name="update"),
    path("<str:code>/<int:pk>/submit/", views.form_submit, name="submit"),
    path("<str:code>/<int:pk>/decide/", views.form_decide, name="decide"),
    path("<str:code>/<int:pk>/pdf/", views.form_pdf, name="pdf"),
]
