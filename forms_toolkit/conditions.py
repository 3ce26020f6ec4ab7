"""Stage conditions of the kind "form X submitted / approved", answered from the forms themselves."""

from django.db.models import CharField, Value
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.db import ReusedSql
from customers.hooks import customer_paperwork_providers
from forms_toolkit import definitions  # noqa: F401  (fills the registry)
from forms_toolkit.models import StageForm
from forms_toolkit.registry import registry
from pipeline.gates import register_condition_kind
from pipeline.hooks import returned_paperwork_providers, stage_paperwork_providers
from pipeline.models import StageCondition

DONE_STATUSES = {
    StageCondition.Kind.FORM_SUBMITTED: [StageForm.Status.SUBMITTED, StageForm.Status.APPROVED],
    StageCondition.Kind.FORM_APPROVED: [StageForm.Status.APPROVED],
}


def _done_forms(codes: tuple[str, ...], project_ids, customer_ids):
    """Submitted or approved forms of ``codes`` on these projects (customer-level types: customers).

    Built as a reusable statement (core.db.ReusedSql): on PostgreSQL the id lists are
    arrays, one parameter each, so the SQL stays the same whatever their length.
    """
    parts = []
    for code in codes:
        form_type = registry.get(code)
        qs = form_type.model.objects.filter(status__in=DONE_STATUSES[StageCondition.Kind.FORM_SUBMITTED])
        field, ids = ("customer_id", customer_ids) if form_type.level == "customer" else ("project_id", project_ids)
        if isinstance(ids, int):  # the placeholder of the PostgreSQL statement
            qs = qs.filter(**{f"{field}__in": RawSQL("SELECT unnest(%s::bigint[])", (ids,))})
        else:
            qs = qs.filter(**{f"{field}__in": ids})
        parts.append(
            qs.annotate(code=Value(code, output_field=CharField()))
            .values("project_id", "customer_id", "code", "status")
            .order_by()
        )
    return parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]


_done_statements: dict[tuple[str, ...], ReusedSql] = {}


def _forms_done(projects, conditions):
    """Both form kinds from one query over every form table: which projects have which forms in which status."""
    codes = tuple(sorted({c.form_type for c in conditions if registry.get(c.form_type) is not None}))
    if not codes:
        return set()
    if codes not in _done_statements:
        _done_statements[codes] = ReusedSql(
            lambda project_ids, customer_ids: _done_forms(codes, project_ids, customer_ids)
        )
    rows = _done_statements[codes].rows(sorted({p.pk for p in projects}), sorted({p.customer_id for p in projects}))
    by_project, by_customer = set(), set()
    for row in rows:
        project_id, customer_id, code, status = row["project_id"], row["customer_id"], row["code"], row["status"]
        by_project.add((project_id, code, status))
        by_customer.add((customer_id, code, status))
    met = set()
    for condition in conditions:
        form_type = registry.get(condition.form_type)
        if form_type is None:
            continue
        on_customer = form_type.level == "customer"
        done = by_customer if on_customer else by_project
        wanted = DONE_STATUSES[condition.kind]
        for project in projects:
            owner_id = project.customer_id if on_customer else project.pk
            if any((owner_id, condition.form_type, status) in done for status in wanted):
                met.add((project.pk, condition.pk))
    return met


def _start_url(project, condition) -> str:
    return reverse("forms_toolkit:create", args=[condition.form_type]) + f"?project={project.pk}"


register_condition_kind(
    StageCondition.Kind.FORM_SUBMITTED,
    evaluator=_forms_done,
    hint=_("填写并提交该表单。"),
    url=_start_url,
)
register_condition_kind(
    StageCondition.Kind.FORM_APPROVED,
    evaluator=_forms_done,
    hint=_("填写并提交该表单,由销售经理批准。"),
    url=_start_url,
)


def _paperwork(*, project, user):
    from forms_toolkit.selectors import project_paperwork

    return project_paperwork(project=project, user=user)


stage_paperwork_providers.append(_paperwork)


def _returned(*, user):
    from forms_toolkit.selectors import returned_forms

    return returned_forms(user=user)


returned_paperwork_providers.append(_returned)


def _customer_paperwork(*, customer, user):
    from forms_toolkit.selectors import customer_paperwork

    return customer_paperwork(customer=customer, user=user)


customer_paperwork_providers.append(_customer_paperwork)
