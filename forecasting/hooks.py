"""Where deal control plugs into the pipeline: it hears of project changes and adds a panel to the project page."""

from django.template.loader import render_to_string

from forecasting import selectors
from forecasting.tasks import on_activity_change, on_project_change
from pipeline.hooks import activity_listeners, project_change_listeners, project_panel_providers


def project_panel(*, project, request) -> str:
    return render_to_string(
        "forecasting/includes/project_panel.html",
        selectors.project_control(project=project, user=request.user),
        request=request,
    )


project_change_listeners.append(on_project_change)
activity_listeners.append(on_activity_change)
project_panel_providers.append(project_panel)
