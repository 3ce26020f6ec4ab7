"""Reads over the forms: a form laid out for the page and the PDF, lists and the approval queue across types."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.signatures import data_url, has_signature
from core.history import HistoryEntry, history_entries, row_history_entries
from core.paper import audit_rows, field_display, paper_rows
from core.search import contains
from core.versioning import conflict_rows as versioned_conflict_rows
from customers.models import Customer
from forms_toolkit.models import FormRecord, Signoff, StageForm, VisitCheckin, VisitReport
from forms_toolkit.registry import FormType, Inline, can_see_sensitive, registry
from forms_toolkit.registry import _is_team_manager as is_team_manager
from forms_toolkit.services import next_step, signed_this_round, signoffs_for

if TYPE_CHECKING:
    from django import forms
    from django.db.models import QuerySet

    from accounts.models import User
    from pipeline.models import Project


@dataclass
class Table:
    label: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class SignatureLine:
    label: str
    name: str = ""
    at: object = None
    decision: str = ""
    comment: str = ""
    image: str = ""  # the drawn signature as a data: URL, when the signer used one


def _tables(form_type: FormType, form: StageForm, *, printed: bool = False) -> list[Table]:
    tables = []
    for inline in form_type.inlines:
        rows = list(getattr(form, inline.prefix).all())
        headers = [str(inline.model._meta.get_field(n).verbose_name) for n in inline.fields]
        values = [[field_display(row, n) for n in inline.fields] for row in rows]
        if form_type.code == "F18" and inline.prefix == "indicators":
            competitors = list(cast(Any, form).competitors.all())
            headers += [c.name for c in competitors]
            for row, cells in zip(rows, values, strict=True):
                cells += [str(row.competitor_scores.get(str(c.pk), "")) for c in competitors]
        if printed and inline.printed_apart_by:
            tables += _apart(inline, headers, rows, values)
            continue
        tables.append(Table(label=str(inline.label), headers=headers, rows=values))
    return tables


def form_history(*, form_type: FormType, form: StageForm, user: User, limit: int = 50) -> list[HistoryEntry]:
    """The form's 信息修改记录: its fields' changes and its tables' rows', newest first; confidential
    fields say that they changed, not to what, for those who may not see them."""
    redacted = frozenset() if can_see_sensitive(form, user) else frozenset(form_type.sensitive_fields)
    header = history_entries(form, redacted=redacted, limit=limit)
    rows = [
        entry
        for inline in form_type.inlines
        for entry in row_history_entries(inline.model.history.filter(form_id=form.pk), label=str(inline.label))
    ]
    return sorted([*header, *rows], key=lambda e: e.when, reverse=True)[:limit]


def saved_tables(*, form_type: FormType, form: StageForm) -> list[Table]:
    """The form's tables as saved now (what another user saved, beside a conflict)."""
    return _tables(form_type, type(form).objects.get(pk=form.pk))


def _apart(inline: Inline, headers: list[str], rows: list[Any], values: list[list[str]]) -> list[Table]:
    """One table per option of ``inline.printed_apart_by``, that column left out: the paper's own tables."""
    name = inline.printed_apart_by
    if name is None:
        return []
    column = inline.fields.index(name)
    keep = [i for i in range(len(headers)) if i != column]
    return [
        Table(
            label=str(label),
            headers=[headers[i] for i in keep],
            rows=[
                [cells[i] for i in keep]
                for row, cells in zip(rows, values, strict=True)
                if getattr(row, name) == option
            ],
        )
        for option, label in inline.model._meta.get_field(name).flatchoices
    ]


def _signatures(form_type: FormType, form: StageForm, signoffs: list[Signoff]) -> list[SignatureLine]:
    """Each step of the chain as the paper's signature line, signed or not, for the round on show."""
    returned = sum(1 for s in signoffs if s.decision == Signoff.Decision.RETURNED)
    shown_round = returned if form.status == StageForm.Status.RETURNED else returned + 1
    latest = {s.step: s for s in signoffs if s.round == shown_round}
    lines = []
    for step in form_type.approval_steps:
        signoff = latest.get(step.code)
        if signoff is None:
            lines.append(SignatureLine(label=str(step.label)))
        else:
            lines.append(
                SignatureLine(
                    label=str(step.label),
                    name=signoff.by.display_name,
                    at=signoff.at,
                    decision=signoff.get_decision_display(),
                    comment=signoff.comment,
                    image=data_url(signoff.signature_png),
                )
            )
    return lines


def form_display(*, form_type: FormType, form: StageForm, user: User, printed: bool = False) -> dict:
    """Everything the detail page and the PDF show, with confidential fields hidden from those who may not see them.

    ``printed``: laid out for paper, enumerations as tick lists and tables split as the paper has them.
    """
    sensitive_ok = can_see_sensitive(form, user)
    audit = hasattr(form, "registered_on")
    # The audit block prints 信息采集人 with the rest of 信息登记: not a second time among the fields.
    shown = [(title, [n for n in names if not (audit and n == "collected_by")]) for title, names in form_type.sections]
    sections = paper_rows(
        form,
        shown,
        redacted=() if sensitive_ok else form_type.sensitive_fields,
        pairs=form_type.pairs,
        tick_lists=printed,
        options=form_type.options_now(),
    )
    step = next_step(form) if form.status == StageForm.Status.SUBMITTED else None
    signoffs = signoffs_for(form)
    header = [
        (_("编号"), form.number),
        (form_type.filler_label, form.filled_by.display_name),
        (form_type.date_label, field_display(form, "filled_on")),
        (form_type.customer_labels[0], form.customer.name),
        (form_type.customer_labels[1], form.customer.code),
    ]
    if form.project is not None:
        header += [(_("项目名称"), form.project.name), (_("项目编号"), form.project.number)]
    checkin = None
    if isinstance(form, VisitReport):
        checkin = form.checkin if form.checkin_id else None
        header.append((_("拜访签到"), checkin_words(checkin)))
    can_decide = step is not None and step.allows(form, user, signed_by=signed_this_round(form, signoffs))
    return {
        "form_type": form_type,
        "form": form,
        "header": header,
        "sections": sections,
        "tables": _tables(form_type, form, printed=printed),
        "results": form_type.results(form) if form_type.results else [],
        "signatures": _signatures(form_type, form, signoffs),
        "audit": audit_rows(form) if audit else [],
        "can_edit": form.is_editable_status and form.is_editable_by(user),
        "can_submit": form.is_editable_status and form.is_editable_by(user),
        "awaiting": step,
        "can_decide": can_decide,
        "has_signature": can_decide and has_signature(user),
        "checkin": checkin,
    }


def checkin_words(checkin: VisitCheckin | None) -> str:
    """拜访签到 as the form and its PDF print it: when and where, or why there is no place."""
    if checkin is None:
        return _("未签到(手工填写)")
    at = f"{timezone.localtime(checkin.at):%Y-%m-%d %H:%M}"
    if checkin.located:
        return f"{at} · {checkin.place}"
    return _("%(at)s 签到,%(why)s,没有位置") % {"at": at, "why": checkin.get_outcome_display()}


def conflict_rows(
    *, form_type: FormType, mine: forms.ModelForm, theirs: StageForm, user: User
) -> list[tuple[str, str, str]]:
    """Header fields where what this user typed differs from what was saved meanwhile: (label, theirs,
    mine); confidential ones are left out for those who may not see them."""
    redacted = () if can_see_sensitive(theirs, user) else form_type.sensitive_fields
    return versioned_conflict_rows(mine, theirs, hidden=redacted)


LIST_FIELDS = (
    "form_id",
    "form_code",
    "number",
    "status",
    "filled_on",
    "submitted_at",
    "customer__name",
    "project__name",
    "filled_by__username",
    "filled_by__last_name",
    "filled_by__first_name",
    "awaiting_step",
)


def _listed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """FormRecord rows as the lists show them: ``pk`` and ``code`` are the form's own."""
    for row in rows:
        row["pk"], row["code"] = row.pop("form_id"), row.pop("form_code")
    return rows


class Listed:
    """A FormRecord queryset sliced for a page, its rows as the lists show them."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def __getitem__(self, window: slice) -> list[dict]:
        return _listed(list(self.queryset[window]))


def form_list(*, user: User, code: str = "", status: str = "", q: str = "") -> Listed:
    """Every form the user may read, newest first, across the form types (one indexed query)."""
    records = FormRecord.objects.visible_to(user)
    if code:
        records = records.filter(form_code=code)
    if status in StageForm.Status.values:
        records = records.filter(status=status)
    q = q.strip()
    if q:
        records = records.filter(
            contains(q, "number", via={"customer": (Customer.objects, ("name",))}, number="number")
        )
    return Listed(records.order_by("-filled_on", "-pk").values(*LIST_FIELDS))


class ApprovalQueue:
    """Submitted forms waiting for a step the user may sign: the team's (every team's for directors).

    Sliced like a queryset for a page; ``counts`` says how many of each form type the other filters
    leave, so the type filter can show them. One query for the page, one for the counts.
    """

    def __init__(
        self,
        *,
        user: User,
        code: str = "",
        team_id: int | None = None,
        filled_by_id: int | None = None,
        min_days: int | None = None,
        newest_first: bool = False,
    ):
        self.user, self.code = user, code
        self.team_id, self.filled_by_id, self.min_days = team_id, filled_by_id, min_days
        self.order = ("-submitted_at", "-pk") if newest_first else ("submitted_at", "pk")

    def _scoped(self) -> QuerySet[FormRecord]:
        # nobody signs what they filled (four eyes): a manager's own forms wait in a director's queue
        qs = FormRecord.objects.filter(status=StageForm.Status.SUBMITTED).exclude(filled_by_id=self.user.pk)
        if not self.user.sees_everything:
            # A team manager's queue holds the steps the registry gives to the team's manager.
            steps = Q()
            for t in registry.all():
                codes = [s.code for s in t.approval_steps if s.may_sign is is_team_manager]
                if codes:
                    steps |= Q(form_code=t.code, awaiting_step__in=codes)
            qs = qs.filter(steps, Q(team_id=self.user.team_id))
        elif self.team_id:
            qs = qs.filter(team_id=self.team_id)
        if self.filled_by_id:
            qs = qs.filter(filled_by_id=self.filled_by_id)
        if self.min_days:
            qs = qs.filter(submitted_at__lte=timezone.now() - datetime.timedelta(days=self.min_days))
        return qs

    def counts(self) -> dict[str, int]:
        rows = self._scoped().values("form_code").annotate(n=Count("pk")).order_by()
        return {row["form_code"]: row["n"] for row in rows}

    def __getitem__(self, window: slice) -> list[dict]:
        qs = self._scoped()
        if self.code:
            qs = qs.filter(form_code=self.code)
        rows = _listed(list(qs.order_by(*self.order).values(*LIST_FIELDS)[window]))
        now = timezone.now()
        for row in rows:
            form_type = registry[row["code"]]
            row["title"] = form_type.title
            row["step_label"] = next((s.label for s in form_type.approval_steps if s.code == row["awaiting_step"]), "")
            row["filled_by"] = (
                f"{row['filled_by__last_name']}{row['filled_by__first_name']}" or row["filled_by__username"]
            )
            row["waited_days"] = (now - row["submitted_at"]).days if row["submitted_at"] else 0
        return rows


def approval_queue(*, user: User, **filters: Any) -> ApprovalQueue:
    return ApprovalQueue(user=user, **filters)


STATUS_BADGES: dict[str, str] = {
    StageForm.Status.DRAFT: "text-bg-secondary",
    StageForm.Status.SUBMITTED: "text-bg-primary",
    StageForm.Status.APPROVED: "text-bg-success",
    StageForm.Status.RETURNED: "text-bg-warning",
}


def project_paperwork(*, project: Project, user: User) -> dict[int, list[dict]]:
    """Each stage's form types with the project's forms of that type (one query for all of them)."""
    from django.urls import reverse

    from pipeline import catalog_cache

    rows = (
        FormRecord.objects.filter(project_id=project.pk)
        .order_by("pk")
        .values("form_id", "number", "status", "form_code", "stage_id")
    )
    labels = dict(StageForm.Status.choices)
    numbers = {s.pk: s.number for s in catalog_cache.stages()}
    # (code, stage number or None for "every stage of its type") -> forms
    listed: dict[tuple[str, int | None], list[dict]] = {}
    for row in rows:
        listed.setdefault((row["form_code"], numbers.get(row["stage_id"])), []).append(
            {
                "number": row["number"],
                "status": labels[row["status"]],
                "badge": STATUS_BADGES[row["status"]],
                "url": reverse("forms_toolkit:detail", args=[row["form_code"], row["form_id"]]),
            }
        )
    out: dict[int, list[dict]] = {}
    for number in range(1, 9):
        for form_type in registry.for_stage(number):
            if form_type.stage_field:
                # A form of any stage (F05) is listed under the stage it names; it is started in the
                # stage the project is in, and that stage offers it even before there is one.
                forms = listed.get((form_type.code, number), [])
                if not forms and number != project.stage.number:
                    continue
            else:
                forms = listed.get((form_type.code, None), [])
            out.setdefault(number, []).append(
                {
                    "code": form_type.code,
                    "title": form_type.title,
                    "forms": forms,
                    "create_url": reverse("forms_toolkit:create", args=[form_type.code]) + f"?project={project.pk}"
                    if number == project.stage.number or form_type.stages
                    else "",
                }
            )
    return out


RETURNED_SHOWN = 50


def returned_forms(*, user: User) -> list[dict]:
    """The user's forms sent back with advice, newest decision first (one indexed query)."""
    from django.urls import reverse

    rows = (
        FormRecord.objects.filter(filled_by_id=user.pk, status=StageForm.Status.RETURNED)
        .order_by("-decided_at")
        .values("form_id", "number", "manager_advice", "form_code", "customer__name", "project__name")[:RETURNED_SHOWN]
    )
    return [
        {
            "title": registry[r["form_code"]].title,
            "number": r["number"],
            "advice": r["manager_advice"],
            "url": reverse("forms_toolkit:detail", args=[r["form_code"], r["form_id"]]),
            "context": " · ".join(x for x in (r["customer__name"], r["project__name"]) if x),
        }
        for r in rows
    ]


def customer_paperwork(*, customer: Customer, user: User) -> list[dict]:
    """The customer-level forms (F04, F07, F26) of a customer, one query for all types."""
    from django.urls import reverse

    types = registry.customer_level()
    rows = list(
        FormRecord.objects.filter(customer=customer, form_code__in=[t.code for t in types])
        .order_by("pk")
        .values("form_id", "number", "status", "form_code")
    )
    labels = dict(StageForm.Status.choices)
    can_write = customer.is_visible_to(user)
    return [
        {
            "code": t.code,
            "title": t.title,
            "forms": [
                {
                    "number": r["number"],
                    "status": labels[r["status"]],
                    "badge": STATUS_BADGES[r["status"]],
                    "url": reverse("forms_toolkit:detail", args=[r["form_code"], r["form_id"]]),
                }
                for r in rows
                if r["form_code"] == t.code
            ],
            "create_url": reverse("forms_toolkit:create", args=[t.code]) + f"?customer={customer.pk}"
            if can_write
            else "",
        }
        for t in types
    ]
