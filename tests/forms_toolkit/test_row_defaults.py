"""Rows a user need not type: F01's 序号 and customer, F22's 序号, F08's 步骤; 信息采集人 is the user."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from forms_toolkit.models import CallLog


def _management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_a_new_call_log_row_starts_numbered_with_the_projects_customer(client, rep, project):
    client.force_login(rep)
    page = client.get(reverse("forms_toolkit:create", args=["F01"]) + f"?project={project.pk}")
    row = page.context["formsets"][0].forms[0]
    assert row["customer_name"].value() == project.customer.name
    assert row["customer_code"].value() == project.customer.code
    assert 'data-autonumber="1"' in page.content.decode()


def test_call_rows_left_unnumbered_are_numbered_in_order_and_an_untouched_row_is_not_saved(client, rep, project):
    client.force_login(rep)
    data = {"filled_on": timezone.localdate().isoformat(), **_management("rows", 3)}
    data.update({"rows-0-found_whom": "顾长庚", "rows-1-seq": "", "rows-1-found_whom": "李工"})
    # the third row is as the page offered it: the customer filled in, nothing typed
    data.update({"rows-2-customer_name": project.customer.name, "rows-2-customer_code": project.customer.code})
    data.update({"rows-0-customer_name": project.customer.name, "rows-1-customer_name": project.customer.name})
    response = client.post(reverse("forms_toolkit:create", args=["F01"]) + f"?project={project.pk}", data)
    assert response.status_code == 302, response.context and [fs.errors for fs in response.context["formsets"]]
    rows = list(CallLog.objects.get().rows.values_list("seq", "found_whom"))
    assert rows == [(1, "顾长庚"), (2, "李工")]


def test_collected_by_defaults_to_whoever_registers_it(client, rep, customer):
    client.force_login(rep)
    for url in (
        reverse("forms_toolkit:create", args=["F07"]) + f"?customer={customer.pk}",
        reverse("customers:create"),
    ):
        form = client.get(url).context["form"]
        assert str(form["collected_by"].value()) == str(rep.pk), url


def test_procurement_steps_left_unnumbered_are_numbered(client, rep, project):
    client.force_login(rep)
    data = {
        **_management("procurement_steps", 2),
        "procurement_steps-0-process": "需求提出",
        "procurement_steps-1-process": "预算审批",
    }
    response = client.post(reverse("pipeline:procurement-map", args=[project.pk]), data)
    assert response.status_code == 302
    assert list(project.procurement_steps.values_list("step", "process")) == [(1, "需求提出"), (2, "预算审批")]


@pytest.mark.django_db
def test_a_reps_home_shows_open_projects_and_todays_tasks(client, rep, project, customer):
    from pipeline import services

    services.task_create(
        customer=customer, project=project, title="回电顾总", owner=rep, due_date=timezone.localdate(), by=rep
    )
    services.task_create(
        customer=customer,
        project=project,
        title="下周的事",
        owner=rep,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        by=rep,
    )
    client.force_login(rep)
    page = client.get(reverse("home")).content.decode()
    assert project.name in page and "我进行中的项目" in page
    assert "回电顾总" in page and "下周的事" not in page
