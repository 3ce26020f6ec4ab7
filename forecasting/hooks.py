"""Where deal control plugs into the pipeline (registered in ForecastingConfig.ready()): it owns the
win probability, refreshes its roll-ups after a change, and adds a panel to the project page."""

import datetime

from django.template.loader import render_to_string

from forecasting import probability, selectors
from forecasting.tasks import activity_changed, project_changed


def project_panel(*, project, request) -> str:
    return render_to_string(
        "forecasting/includes/project_panel.html",
        selectors.project_control(project=project, user=request.user),
        request=request,
    )


def on_project_change(*, project, owner_ids: list[int], since: datetime.date | None = None) -> None:
    """Inside the change's transaction: the project's probability as it now stands (so no page reads
    a won project at 40%); once committed, its roll-ups and a rescoring by the newest model."""
    probability.settle(project)
    project_changed.delay_on_commit(project.pk, owner_ids, since.isoformat() if since else None)


def on_projects_imported() -> None:
    """One roll-up once the import is committed, for all its projects at once."""
    from forecasting.tasks import rollup_all

    rollup_all.delay_on_commit()


def on_activity_change(*, owner_ids: list[int], since: datetime.date) -> None:
    if owner_ids:
        activity_changed.delay_on_commit(owner_ids, since.isoformat())
