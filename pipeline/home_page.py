"""What the pipeline adds to the home page: the user's open projects and what is due today."""

from django.template.loader import render_to_string
from django.utils import timezone

from pipeline.models import Project, Task

SHOWN = 10


def home_panel(*, request) -> str:
    user = request.user
    today = timezone.localdate()
    projects = list(
        Project.objects.open()
        .filter(owner=user)
        .select_related("customer", "stage", "customer_stage")
        .order_by("expected_close_date", "pk")[: SHOWN + 1]
    )
    tasks = list(
        Task.objects.open()
        .filter(owner=user, due_date__lte=today)
        .select_related("project", "customer")
        .order_by("due_date", "pk")[: SHOWN + 1]
    )
    return render_to_string(
        "pipeline/includes/home_panel.html",
        {
            "projects": projects[:SHOWN],
            "more_projects": len(projects) > SHOWN,
            "tasks": tasks[:SHOWN],
            "more_tasks": len(tasks) > SHOWN,
            "today": today,
        },
        request=request,
    )
