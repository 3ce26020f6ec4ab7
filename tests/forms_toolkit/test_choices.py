"""What a form's selects offer: only what the user may pick, on every row including the empty one
the page copies, and a search box instead of a select that would list a whole company's customers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.forms import SearchSelect
from forms_toolkit.models import MarketingActivity, VisitReport
from tests.factories import ContactFactory, CustomerFactory


@pytest.fixture
def stranger_contact(other_rep):
    return ContactFactory(customer=CustomerFactory(owner=other_rep, name="北方另一家公司"), name="外队联系人")


def test_map_rows_and_the_empty_row_offer_only_the_projects_customers_contacts(
    client_for, rep, project, contact, stranger_contact
):
    for name in ("pipeline:buying-center", "pipeline:procurement-map"):
        page = client_for(rep).get(reverse(name, args=[project.pk])).content.decode()
        assert contact.name in page
        assert stranger_contact.name not in page  # not even in the row template the page copies


def test_f10_rows_and_the_empty_row_offer_only_the_customers_contacts(
    client_for, rep, project, contact, stranger_contact
):
    page = client_for(rep).get(reverse("forms_toolkit:create", args=["F10"]) + f"?project={project.pk}")
    html = page.content.decode()
    assert contact.name in html and stranger_contact.name not in html


def test_person_fields_of_headers_and_rows_offer_the_team_only(client_for, rep, teammate, other_rep, project, customer):
    c = client_for(rep)
    f05 = c.get(reverse("forms_toolkit:create", args=["F05"]) + f"?project={project.pk}").content.decode()
    f07 = c.get(reverse("forms_toolkit:create", args=["F07"]) + f"?customer={customer.pk}").content.decode()
    for html in (f05, f07):
        assert teammate.display_name in html
        assert other_rep.display_name not in html


def test_a_person_from_another_team_is_refused_on_a_row(client_for, rep, other_rep, project, post_data):
    from forms_toolkit.registry import registry

    data = post_data(registry.get("F05"), customer=project.customer)
    data["commitments-0-responsible"] = other_rep.pk
    response = client_for(rep).post(reverse("forms_toolkit:create", args=["F05"]) + f"?project={project.pk}", data)
    assert response.status_code == 200
    assert "responsible" in response.context["formsets"][1].forms[0].errors
    assert not VisitReport.objects.exists()


def test_a_row_that_already_names_someone_from_another_team_keeps_them(rep, other_rep, project, stage):
    from forms_toolkit.registry import registry

    report = VisitReport.objects.create(
        project=project,
        customer=project.customer,
        team=rep.team,
        filled_by=rep,
        filled_on=timezone.localdate(),
        visit_stage=stage(1),
    )
    row = report.commitments.create(promise="送样", feedback_on=timezone.localdate(), responsible=other_rep)
    formset = registry.get("F05").inlines[1].formset_class(instance=report, form_kwargs={"user": rep})
    offered = [value for value, _label in formset.forms[0].fields["responsible"].choices]
    assert other_rep.pk in offered and formset.forms[0].initial["responsible"] == row.responsible_id
    assert other_rep.pk not in [v for v, _label in formset.empty_form.fields["responsible"].choices]


def test_f04_compares_only_with_customers_the_user_may_see(client_for, rep, customer, other_rep):
    mine = CustomerFactory(owner=rep, name="本组第二家客户")
    theirs = CustomerFactory(owner=other_rep, name="外队的客户")
    page = client_for(rep).get(reverse("forms_toolkit:create", args=["F04"]) + f"?customer={customer.pk}")
    html = page.content.decode()
    assert mine.name in html and theirs.name not in html


def test_a_long_customer_list_becomes_a_search_box_that_finds_visible_customers_only(
    client_for, rep, customer, other_rep, monkeypatch
):
    monkeypatch.setattr(SearchSelect, "limit", 2)
    for n in range(3):
        CustomerFactory(owner=rep, name=f"华东客户{n}")
    CustomerFactory(owner=other_rep, name="华东外队客户")
    c = client_for(rep)
    page = c.get(reverse("pipeline:project-create") + f"?customer={customer.pk}").content.decode()
    assert 'name="q"' in page and reverse("customers:options") in page
    assert customer.name in page  # the chosen one stays
    assert "华东客户0" not in page  # the rest come from the search box

    found = c.get(reverse("customers:options"), {"q": "华东"}).content.decode()
    assert all(f"华东客户{n}" in found for n in range(3))
    assert "华东外队客户" not in found
    assert "没有找到客户" in c.get(reverse("customers:options"), {"q": "不存在的名字"}).content.decode()


def test_a_short_customer_list_stays_a_plain_select(client_for, rep, customer):
    page = client_for(rep).get(reverse("pipeline:project-create")).content.decode()
    assert customer.name in page and 'name="q"' not in page


def test_a_customer_picked_from_the_search_saves_and_a_hidden_one_is_refused(
    client_for, rep, customer, other_rep, stage, monkeypatch
):
    monkeypatch.setattr(SearchSelect, "limit", 0)
    theirs = CustomerFactory(owner=other_rep, name="外队的客户")
    c = client_for(rep)
    data = {
        "name": "新产线",
        "amount": "100000",
        "currency": "CNY",
        "exchange_rate": "1",
        "expected_close_date": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "customer_stage": stage(1).pk,
    }
    refused = c.post(reverse("pipeline:project-create"), {**data, "customer": theirs.pk})
    assert refused.status_code == 200 and "customer" in refused.context["form"].errors
    assert "新产线" in refused.content.decode()
    saved = c.post(reverse("pipeline:project-create"), {**data, "customer": customer.pk})
    assert saved.status_code == 302


def test_marketing_activity_collector_is_a_teammate(client_for, rep, teammate, other_rep, customer):
    data = {"filled_on": timezone.localdate().isoformat(), "collected_by": other_rep.pk}
    response = client_for(rep).post(reverse("forms_toolkit:create", args=["F07"]) + f"?customer={customer.pk}", data)
    assert response.status_code == 200 and "collected_by" in response.context["form"].errors
    assert not MarketingActivity.objects.exists()
