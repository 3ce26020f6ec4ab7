from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_update, name="update"),
    path("<int:pk>/review/", views.contact_review, name="review"),
    path("<int:pk>/decision-maker/", views.decision_maker_profile_edit, name="profile"),
]
