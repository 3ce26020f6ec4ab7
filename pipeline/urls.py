from django.urls import path

from pipeline import views

app_name = "pipeline"

urlpatterns = [
    path("", views.project_list, name="project-list"),
    path("new/", views.project_create, name="project-create"),
    path("board/", views.board, name="board"),
    path("my-day/", views.my_day, name="my-day"),
    path("cases/", views.case_list, name="case-list"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<int:task_pk>/toggle/", views.task_toggle, name="task-toggle"),
    path("<int:pk>/", views.project_detail, name="project-detail"),
    path("<int:pk>/sections/<slug:section>/", views.project_section, name="project-section"),
    path("<int:pk>/edit/", views.project_update, name="project-update"),
    path("<int:pk>/advance/", views.project_advance, name="project-advance"),
    path("<int:pk>/step-back/", views.project_step_back, name="project-step-back"),
    path("<int:pk>/close/", views.project_close, name="project-close"),
    path("<int:pk>/reopen/", views.project_reopen, name="project-reopen"),
    path("<int:pk>/customer-stage/", views.project_customer_stage, name="project-customer-stage"),
    path("<int:pk>/move/", views.board_move, name="board-move"),
    path("<int:pk>/conditions/<int:condition_pk>/", views.condition_toggle, name="condition-toggle"),
    path("<int:pk>/members/", views.member_add, name="member-add"),
    path("<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member-remove"),
    path("<int:pk>/buying-center/", views.buying_center, name="buying-center"),
    path("<int:pk>/procurement-map/", views.procurement_map, name="procurement-map"),
    path("<int:pk>/tasks/", views.task_create, name="task-create"),
]
