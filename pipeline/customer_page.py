"""What the pipeline adds to the customer page: the customer's projects, both tracks at a glance."""

from django.template.loader import render_to_string

from pipeline.models import Project

PROJECTS_SHOWN = 50


def customer_projects(*, customer, request) -> str:
    projects = list(
        Project.objects.visible_to(request.user)
        .filter(customer=customer)
        .select_related("stage", "customer_stage", "owner")
        .order_by("status", "-created_at")[: PROJECTS_SHOWN + 1]
    )
    return render_to_string(
        "pipeline/includes/customer_projects.html",
        {
            "customer": customer,
            "projects": projects[:PROJECTS_SHOWN],
            "more": len(projects) > PROJECTS_SHOWN,
            "can_create": customer.is_visible_to(request.user),
        },
        request=request,
    )
