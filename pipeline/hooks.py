"""Places where apps that build on the pipeline add to its pages without the pipeline importing them."""

import datetime
from collections.abc import Callable

# (project, user) -> {stage number: [paperwork entries]}; the forms toolkit registers one.
stage_paperwork_providers: list[Callable] = []


def stage_paperwork(*, project, user) -> dict[int, list]:
    out: dict[int, list] = {}
    for provider in stage_paperwork_providers:
        for number, entries in provider(project=project, user=user).items():
            out.setdefault(number, []).extend(entries)
    return out


# (user) -> [{"title", "number", "url", "advice", "decided_at"}]: returned paperwork shown on "my day".
returned_paperwork_providers: list[Callable] = []


def returned_paperwork(*, user) -> list[dict]:
    out: list[dict] = []
    for provider in returned_paperwork_providers:
        out.extend(provider(user=user))
    return out


# (project_id, owner_ids, since) -> None: called inside the transaction that changed a project's
# stage, status, amount, dates or owner; deal control refreshes its roll-ups after commit. ``since``
# is the earliest day the change reaches back to (a reopened project's old close), if before today.
project_change_listeners: list[Callable] = []


def project_changed(*, project, previous_owner_id: int | None = None, since: datetime.date | None = None) -> None:
    owner_ids = {project.owner_id, previous_owner_id} - {None}
    for listener in project_change_listeners:
        listener(project_id=project.pk, owner_ids=sorted(owner_ids), since=since)


# (owner_ids, since) -> None: called inside the transaction that changed someone's recorded work
# (a form written, moved to another date, handed in or decided), dated from ``since`` on.
activity_listeners: list[Callable] = []


def activity_changed(*, owner_ids, since: datetime.date) -> None:
    for listener in activity_listeners:
        listener(owner_ids=sorted(set(owner_ids) - {None}), since=since)


# (project, request) -> HTML: panels later apps add to the project page (deal control's probability and anomalies).
project_panel_providers: list[Callable] = []


def project_panels(*, project, request) -> list[str]:
    return [provider(project=project, request=request) for provider in project_panel_providers]
