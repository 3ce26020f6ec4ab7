"""Stage conditions of the kind "form X submitted / approved", answered from the forms themselves."""

from django.db.models import CharField, Value
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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


def _forms_done(projects, conditions):
    """Both form kinds from one query over every form table: which projects have which forms in which status."""
    project_ids = {p.pk for p in projects}
    customer_ids = {p.customer_id for p in projects}
    parts = []
    for code in {c.form_type for c in conditions}:
        form_type = registry.get(code)
        if form_type is None:
            continue
        qs = form_type.model.objects.filter(status__in=DONE_STATUSES[StageCondition.Kind.FORM_SUBMITTED])
        if form_type.level == "customer":
            qs = qs.filter(customer_id__in=customer_ids)
        else:
            qs = qs.filter(project_id__in=project_ids)
        parts.append(
            qs.annotate(code=Value(code, output_field=CharField()))
            .values_list("project_id", "customer_id", "code", "status")
            .order_by()
        )
    if not parts:
        return set()
    rows = parts[0].union(*parts[1:], all=True).order_by() if len(parts) > 1 else parts[0]
    by_project, by_customer = set(), set()
    for project_id, customer_id, code, status in rows:
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
