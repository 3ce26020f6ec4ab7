"""From what happened to who is told: each event the other apps emit (``core.events``) becomes one
notification per person it concerns, with the words and the page it links to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import notify

User = get_user_model()


def on_event(event: str, **payload: Any) -> None:
    handler = HANDLERS.get(event)
    if handler is not None:
        handler(**payload)


def _active(query: Q):
    return list(User.objects.filter(query, is_active=True))


def _form_words(form) -> dict:
    return {
        "code": form.form_type.code,
        "title": form.form_type.title,
        "number": form.number,
        "customer": form.customer or "",
        "by": form.filled_by.display_name,
    }


def signers_of(form) -> list:
    """Who may sign the step the form now waits for: its team's manager (or, for a step or a form a
    manager cannot sign, the directors), the project's engineer or project manager for their steps."""
    from forms_toolkit.services import next_step, signed_this_round

    step = next_step(form)
    if step is None:
        return []
    signed = signed_this_round(form)
    nearest = Q(role=User.Role.MANAGER, team_id=form.team_id)
    if form.project_id is not None:
        nearest |= Q(project_memberships__project_id=form.project_id)
    candidates = [u for u in _active(nearest) if step.allows(form, u, signed_by=signed)]
    if not candidates:
        candidates = [u for u in _active(Q(role=User.Role.DIRECTOR)) if step.allows(form, u, signed_by=signed)]
    return list({u.pk: u for u in candidates}.values())


def form_submitted(*, form, by) -> None:
    from forms_toolkit.services import next_step

    step = next_step(form)
    words = _form_words(form) | {"step": step.label if step else ""}
    notify(
        event=Event.SIGNATURE_AWAITED,
        recipients=signers_of(form),
        key=f"{form.number}:awaits:{form.awaiting_step}:{form.version}",
        title=_("待您签字:%(code)s %(title)s %(number)s") % words,
        body=_("%(by)s 提交了 %(customer)s 的%(title)s(%(number)s),等待「%(step)s」签字。") % words,
        url=form.get_absolute_url(),
        by=by,
    )


def form_decided(*, form, signoff, by) -> None:
    words = _form_words(form) | {"signer": by.display_name, "advice": signoff.comment}
    returned = signoff.decision == signoff.Decision.RETURNED
    if returned:
        title = _("表单被退回:%(code)s %(title)s %(number)s") % words
        body = _("%(signer)s 退回了您的%(title)s(%(number)s)。领导建议:%(advice)s") % words
    elif form.status == form.Status.APPROVED:
        title = _("表单已批准:%(code)s %(title)s %(number)s") % words
        body = _("%(signer)s 批准了您的%(title)s(%(number)s)。") % words
        if signoff.comment:
            body += " " + _("领导建议:%(advice)s") % words
    else:
        # A step of several was signed: the next signer is told; the one who filled it waits for the end.
        form_submitted(form=form, by=by)
        return
    notify(
        event=Event.FORM_DECIDED,
        recipients=[form.filled_by],
        key=f"{form.number}:decided:{signoff.pk}",
        title=title,
        body=body,
        url=form.get_absolute_url(),
        by=by,
    )


def gate_overridden(*, project, change, by) -> None:
    words = {
        "project": project.name,
        "by": by.display_name,
        "to": change.to_stage.display_name,
        "reason": change.override_reason,
        "unmet": "、".join(change.unmet_conditions),
    }
    notify(
        event=Event.GATE_OVERRIDDEN,
        recipients=_active(Q(role=User.Role.DIRECTOR)),
        key=f"override:{change.pk}",
        title=_("越过阶段关口:%(project)s 推进到「%(to)s」") % words,
        body=_("%(by)s 在条件未满足(%(unmet)s)时推进了项目。理由:%(reason)s") % words,
        url=project.get_absolute_url(),
        by=by,
    )


def project_member_added(*, member, by) -> None:
    project = member.project
    words = {"project": project.name, "role": member.get_role_display(), "by": by.display_name if by else ""}
    notify(
        event=Event.MEMBER_ADDED,
        recipients=[member.user],
        key=f"member:{member.pk}",
        title=_("您已加入项目组:%(project)s") % words,
        body=_("%(by)s 把您加入了 %(project)s 的项目组,角色:%(role)s。") % words,
        url=project.get_absolute_url(),
        by=by,
    )


def anomalies_raised(*, anomalies) -> None:
    """One message per person per detection run, however many were found: a first detection over a
    long history finds hundreds at once, and nobody reads hundreds of messages."""
    severe = [a for a in anomalies if a.severity == "high"]
    if not severe:
        return
    _named(severe)
    teams = {a.team_id for a in severe} - {None}
    managers = _active(Q(role=User.Role.MANAGER, team_id__in=teams)) if teams else []
    concerned: dict[int, tuple] = {}
    for person in managers:
        concerned[person.pk] = (person, [a for a in severe if a.team_id == person.team_id])
    owners = {u.pk: u for u in User.objects.filter(pk__in={a.owner_id for a in severe}, is_active=True)}
    for owner_id, owner in owners.items():
        own = [a for a in severe if a.owner_id == owner_id]
        if owner_id in concerned:
            continue
        concerned[owner_id] = (owner, own)
    url = reverse("forecasting:anomaly-list") + "?severity=high"
    for person, found in concerned.values():
        found.sort(key=lambda a: a.pk)
        first = found[0]
        lines = [str(a) for a in found[:10]]
        if len(found) > 10:
            lines.append(_("……共 %(n)s 项") % {"n": len(found)})
        notify(
            event=Event.ANOMALY,
            recipients=[person],
            key=f"anomaly:{first.pk}:{len(found)}:{found[-1].pk}:{first.detected_at:%Y%m%d%H%M}",
            title=(
                _("严重异常:%(what)s") % {"what": first}
                if len(found) == 1
                else _("本团队出现 %(n)s 项严重异常") % {"n": len(found)}
            ),
            body="\n".join(lines),
            url=first.get_absolute_url() if len(found) == 1 else url,
        )


def _named(anomalies) -> None:
    """Their projects and customers in two queries (each one's name is in the message)."""
    from customers.models import Customer
    from pipeline.models import Project

    projects = Project.objects.in_bulk({a.project_id for a in anomalies} - {None})
    customers = Customer.objects.in_bulk({a.customer_id for a in anomalies if a.project_id is None})
    for anomaly in anomalies:
        if anomaly.project_id is not None:
            anomaly.project = projects[anomaly.project_id]
        else:
            anomaly.customer = customers[anomaly.customer_id]


HANDLERS: dict[str, Callable[..., None]] = {
    "form_submitted": form_submitted,
    "form_decided": form_decided,
    "gate_overridden": gate_overridden,
    "project_member_added": project_member_added,
    "anomalies_raised": anomalies_raised,
}
