"""Red flags read off a project's buying center (F09): plain functions over plain rows."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from pipeline.models import BuyingCenterMember as M


@dataclass(frozen=True)
class RedFlag:
    code: str
    message: str
    severity: str  # "high" or "medium"


def buying_center_red_flags(members: Iterable[M]) -> list[RedFlag]:
    """What is wrong with who we know in this purchase; an empty list when nothing is."""
    members = list(members)
    flags: list[RedFlag] = []
    decision_makers = [m for m in members if m.role == M.Role.DECISION_MAKER]
    if not decision_makers:
        flags.append(RedFlag("no_decision_maker", str(_("尚未识别决策者。")), "high"))
    for m in decision_makers:
        if m.attitude == M.Attitude.OPPONENT:
            flags.append(
                RedFlag(
                    "decision_maker_opposed", str(_("决策者 %(name)s 是反对者。") % {"name": m.contact.name}), "high"
                )
            )
        if m.closeness == M.Closeness.NONE:
            flags.append(
                RedFlag(
                    "decision_maker_not_contacted",
                    str(_("尚未联系决策者 %(name)s。") % {"name": m.contact.name}),
                    "high",
                )
            )
    if members and not any(m.attitude == M.Attitude.SUPPORTER for m in members):
        flags.append(RedFlag("no_supporter", str(_("没有支持者。")), "medium"))
    contacted = [m for m in members if m.closeness != M.Closeness.NONE]
    if len(contacted) <= 1:
        flags.append(RedFlag("single_contact", str(_("只联系了一个人(或无人),关系过于单薄。")), "medium"))
    for m in members:
        if m.role == M.Role.EVALUATOR and m.attitude == M.Attitude.OPPONENT:
            flags.append(
                RedFlag("evaluator_opposed", str(_("评估者 %(name)s 是反对者。") % {"name": m.contact.name}), "medium")
            )
    return flags
