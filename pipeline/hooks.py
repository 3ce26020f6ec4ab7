"""The pipeline's extension points (``core.registry``): apps built on it register here in their
``AppConfig.ready()``, and the pipeline never imports them."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from core.registry import Registry

# (project, user) -> {stage number: [paperwork entries]}: the forms toolkit's paperwork per stage.
stage_paperwork_providers: Registry[Callable] = Registry("pipeline.stage_paperwork")

# (user) -> [{"title", "number", "url", "advice", "decided_at"}]: returned paperwork shown on "my day".
returned_paperwork_providers: Registry[Callable] = Registry("pipeline.returned_paperwork")

# (project, owner_ids, since) -> None: called inside the transaction that changed a project's stage,
# status, amount, dates or owner (``project`` is the saved instance; a listener may set fields it
# owns on it, as deal control does with the win probability). ``since`` is the earliest day the
# change reaches back to (a reopened project's old close), if before today.
project_change_listeners: Registry[Callable] = Registry("pipeline.project_changed")

# (owner_ids, since) -> None: called inside the transaction that changed someone's recorded work
# (a form written, moved to another date, handed in or decided), dated from ``since`` on.
activity_listeners: Registry[Callable] = Registry("pipeline.activity_changed")

# () -> None: projects were imported in bulk (each saved without project_change_listeners, which would
# queue a roll-up per line); called inside the import's transaction.
projects_imported_listeners: Registry[Callable] = Registry("pipeline.projects_imported")

# (project, request) -> HTML: panels later apps add to the project page (deal control's probability and anomalies).
project_panel_providers: Registry[Callable] = Registry("pipeline.project_panels")


def stage_paperwork(*, project, user) -> dict[int, list]:
    out: dict[int, list] = {}
    for provider in stage_paperwork_providers:
        for number, entries in provider(project=project, user=user).items():
            out.setdefault(number, []).extend(entries)
    return out


def returned_paperwork(*, user) -> list[dict]:
    out: list[dict] = []
    for provider in returned_paperwork_providers:
        out.extend(provider(user=user))
    return out


def project_changed(*, project, previous_owner_id: int | None = None, since: datetime.date | None = None) -> None:
    owner_ids = sorted({project.owner_id, previous_owner_id} - {None})
    for listener in project_change_listeners:
        listener(project=project, owner_ids=owner_ids, since=since)


def projects_imported() -> None:
    for listener in projects_imported_listeners:
        listener()


def activity_changed(*, owner_ids, since: datetime.date) -> None:
    for listener in activity_listeners:
        listener(owner_ids=sorted(set(owner_ids) - {None}), since=since)


def project_panels(*, project, request) -> list[str]:
    return [provider(project=project, request=request) for provider in project_panel_providers]
