from io import StringIO

from django.core.management import call_command

from accounts.models import Team, User
from contacts.models import Contact, DecisionMakerProfile
from customers.models import Customer


def test_it_loads_the_demo_organisation_and_keeps_it_on_a_second_run(db):
    call_command("load_demo", stdout=StringIO())
    counts = (Team.objects.count(), User.objects.count(), Customer.objects.count(), Contact.objects.count())
    Customer.objects.filter(code="JN-HM-0001").update(short_name="用户改过")
    call_command("load_demo", stdout=StringIO())
    assert (Team.objects.count(), User.objects.count(), Customer.objects.count(), Contact.objects.count()) == counts
    assert Customer.objects.get(code="JN-HM-0001").short_name == "用户改过"


def test_it_gives_each_team_a_manager_and_two_reps_plus_company_roles(db):
    call_command("load_demo", stdout=StringIO())
    for team in Team.objects.all():
        assert team.members.filter(role=User.Role.MANAGER).count() >= 1
        assert team.members.filter(role=User.Role.REP).count() >= 2
    assert User.objects.get(username="director").role == User.Role.DIRECTOR
    assert User.objects.get(username="admin").is_superuser
    for username in ("admin", "director", "manager", "rep", "manager2", "rep2"):
        assert User.objects.get(username=username).check_password("demo1234")
    assert User.objects.get(username="manager").team == User.objects.get(username="rep").team
    assert (
        User.objects.get(username="manager2").team
        == User.objects.get(username="rep2").team
        != User.objects.get(username="rep").team
    )


def test_it_fills_customers_with_org_charts_and_history(db):
    call_command("load_demo", stdout=StringIO())
    industries = set(Customer.objects.values_list("industry", flat=True))
    assert {"machinery", "aviation", "telecom"} <= industries
    assert Contact.objects.filter(reports_to__isnull=False).count() >= 10
    assert DecisionMakerProfile.objects.exists()
    assert Customer.objects.filter(is_reviewed=True).exists() and Customer.objects.filter(is_reviewed=False).exists()
    for customer in Customer.objects.all():
        assert customer.team_id == customer.owner.team_id
        assert customer.contacts.exists()
        assert customer.history.exists()


def test_the_demo_carries_a_filled_form_of_every_type_that_prints(client, db):
    from django.urls import reverse

    from forms_toolkit.papers import RECORD_PAPERS
    from forms_toolkit.registry import registry

    call_command("load_demo", stdout=StringIO())
    missing = [t.code for t in registry.all() if not t.model.objects.exists()]
    assert missing == []
    assert len(registry.all()) + len(RECORD_PAPERS) == 26
    client.force_login(User.objects.get(username="director"))
    for form_type in registry.all():
        form = form_type.model.objects.first()
        response = client.get(reverse("forms_toolkit:pdf", args=[form_type.code, form.pk]))
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), form_type.code
