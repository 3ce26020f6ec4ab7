from pipeline.models import BuyingCenterMember, ConditionCheck, ProcurementStep, StageCondition
from tests.factories import ContactFactory


def tick_all(project, number, by):
    for condition in StageCondition.objects.filter(stage__number=number, kind="checklist"):
        ConditionCheck.objects.get_or_create(project=project, condition=condition, defaults={"by": by})


def fill_maps(project, *, role="decision_maker"):
    contact = ContactFactory(customer=project.customer)
    BuyingCenterMember.objects.create(
        project=project,
        contact=contact,
        level="decision",
        department="technical",
        role=role,
        attitude="supporter",
        closeness="close",
    )
    ProcurementStep.objects.create(project=project, step=1, process="立项申请", responsible=contact)
    return contact


def satisfy_through(project, last_stage, by):
    """Meet every built-in condition of stages 1 … last_stage."""
    fill_maps(project)
    for n in range(1, last_stage + 1):
        tick_all(project, n, by)
