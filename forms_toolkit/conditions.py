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
    rows = set(parts[0].union(*parts[1:], all=True).order_by()) if len(parts) > 1 else set(parts[0])
    met = set()
    for project in projects:
        for condition in conditions:
            form_type = registry.get(condition.form_type)
            if form_type is None:
                continue
            wanted = DONE_STATUSES[condition.kind]
            for project_id, customer_id, code, status in rows:
                same_owner = (
                    (customer_id == project.customer_id)
                    if form_type.level == "customer"
                    else (project_id == project.pk)
                )
                if code == condition.form_type and same_owner and status in wanted:
                    met.add((project.pk, condition.pk))
                    break
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
