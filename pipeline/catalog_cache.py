"""The stage catalog (eight stages and their active conditions), read from the cache.

Every page that draws stages or gates asks for it; it changes only when an administrator
edits a stage or a condition, and then the cached copy is dropped (see ``forget``).
"""

from dataclasses import dataclass

from core.caching import cached
from core.caching import forget as forget_keys
from pipeline.models import StageCondition, StageDefinition

KEY = "pipeline:catalog:1"


@dataclass
class Catalog:
    stages: list[StageDefinition]
    conditions: list[StageCondition]  # active ones, in stage, order, pk order, each with its stage attached

    def stage(self, number: int) -> StageDefinition:
        return self.stages[number - 1]

    def conditions_for(self, numbers) -> list[StageCondition]:
        numbers = set(numbers)
        return [c for c in self.conditions if c.stage.number in numbers]


def catalog() -> Catalog:
    """Shared by the process (see ``core.caching``): read it, do not change it."""
    return cached(KEY, _load)


def stages() -> list[StageDefinition]:
    return catalog().stages


def _load() -> Catalog:
    stages = list(StageDefinition.objects.order_by("number"))
    by_pk = {s.pk: s for s in stages}
    conditions = list(StageCondition.objects.filter(is_active=True).order_by("stage__number", "order", "pk"))
    for condition in conditions:
        condition.stage = by_pk[condition.stage_id]
    return Catalog(stages=stages, conditions=conditions)


def forget(**kwargs) -> None:
    """Drop the cached catalog now and again after the commit (a reader in between may have cached the old rows)."""
    forget_keys(KEY)
