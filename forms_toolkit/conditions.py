"""Stage conditions of the kind "form X submitted / approved", answered from the forms' shared table."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from forms_toolkit import definitions  # noqa: F401  (fills the registry)
from forms_toolkit.models import FormRecord, StageForm
from forms_toolkit.registry import registry
from pipeline.gates import ConditionKindSpec
from pipeline.models import StageCondition

DONE_STATUSES = {
    StageCondition.Kind.FORM_SUBMITTED: [StageForm.Status.SUBMITTED, StageForm.Status.APPROVED],
    StageCondition.Kind.FORM_APPROVED: [StageForm.Status.APPROVED],
}


def _forms_done(projects, conditions):
    """Both form kinds from one indexed query over FormRecord: which projects (customer-level types:
    customers) have which forms in which status."""
    codes = sorted({c.form_type for c in conditions if registry.get(c.form_type) is not None})
    if not codes:
        return set()
    on_customer = [c for c in codes if registry.get(c).level == "customer"]
    on_project = [c for c in codes if c not in on_customer]
    wanted = Q()
    if on_project:
        wanted |= Q(form_code__in=on_project, project_id__in={p.pk for p in projects})
    if on_customer:
        wanted |= Q(form_code__in=on_customer, customer_id__in={p.customer_id for p in projects})
    rows = (
        FormRecord.objects.filter(wanted, status__in=DONE_STATUSES[StageCondition.Kind.FORM_SUBMITTED])
        .values("project_id", "customer_id", "form_code", "status")
        .distinct()
        .order_by()
    )
    by_project, by_customer = set(), set()
    for row in rows:
        project_id, customer_id, code, status = row["project_id"], row["customer_id"], row["form_code"], row["status"]
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


# Registered as the gate's condition kinds in FormsToolkitConfig.ready()
KINDS = {
    StageCondition.Kind.FORM_SUBMITTED: ConditionKindSpec(
        evaluator=_forms_done, hint=_("填写并提交该表单。"), url=_start_url
    ),
    StageCondition.Kind.FORM_APPROVED: ConditionKindSpec(
        evaluator=_forms_done, hint=_("填写并提交该表单,由销售经理批准。"), url=_start_url
    ),
}


def paperwork(*, project, user):
    from forms_toolkit.selectors import project_paperwork

    return project_paperwork(project=project, user=user)


def returned(*, user):
    from forms_toolkit.selectors import returned_forms

    return returned_forms(user=user)


def customer_paperwork_entries(*, customer, user):
    from forms_toolkit.selectors import customer_paperwork

    return customer_paperwork(customer=customer, user=user)
