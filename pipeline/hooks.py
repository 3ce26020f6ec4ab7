"""Places where apps that build on the pipeline add to its pages without the pipeline importing them."""

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
