from django.urls import path

from forecasting import views

app_name = "forecasting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("company/", views.company, name="company"),
    path("teams/<int:team_id>/", views.team_dashboard, name="team"),
    path("reps/<int:user_id>/", views.scorecard, name="scorecard"),
    path("forecast/", views.forecast, name="forecast"),
    path("targets/", views.targets, name="targets"),
    path("anomalies/", views.anomaly_list, name="anomaly-list"),
    path("anomalies/<int:pk>/", views.anomaly_detail, name="anomaly-detail"),
    path("calibration/", views.calibration, name="calibration"),
    path("projects/<int:pk>/category/", views.project_category, name="project-category"),
    path("recompute/", views.recompute, name="recompute"),
]
