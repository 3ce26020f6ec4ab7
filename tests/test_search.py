"""Every list's search box: a substring of a name, a number or the customer's name, of any length;
on PostgreSQL answered from the trigram and bigram indexes (no row of the large tables read in turn)."""

import pytest
from django.db import connection
from django.urls import reverse

from contacts.models import Contact
from core.search import contains
from customers.models import Customer
from demo.forms import demo_stage_form
from pipeline.models import Project
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes are PostgreSQL's")


@pytest.fixture
def projects(make_project, rep):
    other = CustomerFactory(owner=rep, name="徐工集团工程机械有限公司", code="XG-0009")
    return {
        "crane": make_project(name="桥式起重机改造"),
        "mes": make_project(name="MES 实施", customer_=other),
    }


def _found(client, user, path, term):
    client.force_login(user)
    response = client.get(path, {"q": term})
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    ("term", "crane", "mes"),
    [
        ("起重机", True, False),  # three characters of a name
        ("起重", True, False),  # two
        ("徐工", False, True),  # the customer's name, two characters
        ("工程机械", False, True),
        ("mes", False, True),  # any case
        ("没有这种项目", False, False),
        ("罕见", False, False),
    ],
)
def test_the_project_list_finds_by_name_number_or_customer(client, rep, projects, term, crane, mes):
    page = _found(client, rep, reverse("pipeline:project-list"), term)
    assert (projects["crane"].number in page) == crane and (projects["mes"].number in page) == mes


def test_a_project_number_finds_that_project(client, director, projects):
    page = _found(client, director, reverse("pipeline:project-list"), projects["mes"].number[-6:])
    assert projects["mes"].number in page and projects["crane"].number not in page


def test_a_whole_number_is_looked_up_by_the_number_alone(client, rep, projects):
    number = projects["mes"].number
    assert Project.objects.filter(contains(number.lower(), "name", "number", number="number")).get() == projects["mes"]
    page = _found(client, rep, reverse("pipeline:project-list"), f" {number.lower()} ")
    assert number in page and projects["crane"].number not in page
    # a lookup of the unique number, not a substring search
    assert "LIKE" not in str(Project.objects.filter(contains(number, "name", "number", number="number")).query)
    assert "LIKE" in str(Project.objects.filter(contains(number[3:], "name", "number", number="number")).query)


def test_customers_contacts_and_forms_search_the_same_way(client, rep, customer, project):
    ContactFactory(customer=customer, name="顾长庚", title="董事长", phone="13912345678")
    form = demo_stage_form("F05", project=project, by=rep, status="draft")
    assert customer.code in _found(client, rep, reverse("customers:list"), "重型")
    assert customer.code not in _found(client, rep, reverse("customers:list"), "没有")
    assert "顾长庚" in _found(client, rep, reverse("contacts:list"), "长庚")
    assert "顾长庚" in _found(client, rep, reverse("contacts:list"), "江南")  # the customer's name
    assert "顾长庚" in _found(client, rep, reverse("contacts:list"), "1234")
    assert form.number in _found(client, rep, reverse("forms_toolkit:list"), form.number)
    assert form.number in _found(client, rep, reverse("forms_toolkit:list"), form.number[-4:])
    assert form.number in _found(client, rep, reverse("forms_toolkit:list"), "江南")
    assert form.number not in _found(client, rep, reverse("forms_toolkit:list"), "徐工")


def test_another_teams_rows_are_not_found(client, other_rep, projects):
    assert projects["crane"].number not in _found(client, other_rep, reverse("pipeline:project-list"), "起重机")


def test_a_one_character_term_still_searches(projects):
    assert set(Project.objects.filter(contains("桥", "name"))) == {projects["crane"]}


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny test table: ask whether the search indexes can serve it at all (what a million rows choose).
        cursor.execute("SET enable_seqscan = off; SET enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan; RESET enable_indexscan")
    return plan


@postgresql
@pytest.mark.parametrize("term", ["没有这种项目", "罕见"])
def test_on_postgresql_an_index_serves_each_search(projects, term):
    via = {"customer": (Customer.objects, ("name",))}
    plans = [
        _plan(Project.objects.filter(contains(term, "name", "number", via=via)).order_by()),
        _plan(Customer.objects.search(term).order_by()),
        _plan(Contact.objects.filter(contains(term, "name", "title", "phone", via=via)).order_by()),
    ]
    for plan in plans:
        assert "Seq Scan" not in plan, plan
        assert ("_trgm" in plan) == (len(term) > 2) and ("_bigram" in plan) == (len(term) == 2), plan
