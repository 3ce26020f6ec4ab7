from pipeline.models import BuyingCenterMember, ConditionCheck, ProcurementStep, StageCondition
from tests.factories import ContactFactory


def meet_stage(project, number, by, *, forms=True):
    """Tick a stage's checklist and, unless told not to, file the forms its conditions ask for."""
    for condition in StageCondition.objects.filter(stage__number=number, kind="checklist"):
        ConditionCheck.objects.get_or_create(project=project, condition=condition, defaults={"by": by})
    if not forms:
        return
    from accounts.models import User
    from demo.forms import demo_stage_form

    signer = User.objects.filter(role="director").first() or User.objects.create(
        username="auto-director", role="director"
    )
    for condition in StageCondition.objects.filter(stage__number=number, kind__in=["form_submitted", "form_approved"]):
        demo_stage_form(
            condition.form_type,
            project=project,
            by=by,
            director=signer,
            status="approved" if condition.kind == "form_approved" else "submitted",
        )


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
        meet_stage(project, n, by)
