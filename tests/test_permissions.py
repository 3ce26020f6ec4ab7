"""Every URL crossed with every persona: who reads, who writes, who must not learn a record exists."""

import pytest
from django.urls import reverse

PERSONAS = ["rep", "teammate", "manager", "other_rep", "other_manager", "director", "admin_user"]

# (url name, method, object kind, expected status per persona in PERSONAS order)
# The object belongs to `rep` in team A.
MATRIX = [
    ("customers:detail", "get", "customer", [200, 200, 200, 404, 404, 200, 200]),
    ("customers:update", "get", "customer", [200, 403, 200, 404, 404, 200, 200]),
    ("customers:update", "post", "customer", [200, 403, 200, 404, 404, 200, 200]),
    ("customers:review", "post", "customer", [403, 403, 302, 404, 404, 302, 302]),
    ("contacts:detail", "get", "contact", [200, 200, 200, 404, 404, 200, 200]),
    ("contacts:update", "get", "contact", [200, 403, 200, 404, 404, 200, 200]),
    ("contacts:update", "post", "contact", [200, 403, 200, 404, 404, 200, 200]),
    ("contacts:review", "post", "contact", [403, 403, 302, 404, 404, 302, 302]),
    ("contacts:profile", "get", "contact", [200, 403, 200, 404, 404, 200, 200]),
    ("contacts:profile", "post", "contact", [302, 403, 302, 404, 404, 302, 302]),
]

CASES = [
    pytest.param(name, method, kind, persona, expected[i], id=f"{name}-{method}-{persona}")
    for name, method, kind, expected in MATRIX
    for i, persona in enumerate(PERSONAS)
]


@pytest.mark.parametrize(("url_name", "method", "kind", "persona", "expected"), CASES)
def test_it_answers_each_persona_as_the_rules_say(
    request, client, customer, contact, url_name, method, kind, persona, expected
):
    user = request.getfixturevalue(persona)
    obj = customer if kind == "customer" else contact
    client.force_login(user)
    url = reverse(url_name, args=[obj.pk])
    # An invalid POST to an edit page re-renders the form (200) — enough to prove write access.
    response = client.post(url, {}) if method == "post" else client.get(url)
    assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "url_name", ["home", "customers:list", "customers:create", "contacts:list", "contacts:create", "password_change"]
)
def test_it_opens_every_list_and_create_page_for_every_persona(request, client, customer, contact, persona, url_name):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(url_name)).status_code == 200


@pytest.mark.parametrize("url", ["/", "/customers/", "/customers/1/", "/contacts/", "/contacts/1/edit/"])
def test_it_sends_anonymous_users_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_hides_other_teams_rows_from_lists(client, customer, contact, other_rep):
    client.force_login(other_rep)
    assert customer.name not in client.get(reverse("customers:list")).content.decode()
    assert contact.name not in client.get(reverse("contacts:list")).content.decode()


def test_it_answers_404_for_other_teams_customer_in_contact_create(client, customer, other_rep):
    client.force_login(other_rep)
    assert client.get(reverse("contacts:create"), {"customer": customer.pk}).status_code == 404
    assert client.get(reverse("contacts:create"), {"customer": "abc"}).status_code == 404


def test_it_refuses_a_contact_for_another_teams_customer(client, customer, other_rep):
    client.force_login(other_rep)
    response = client.post(reverse("contacts:create"), {"customer": customer.pk, "name": "间谍"})
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not customer.contacts.filter(name="间谍").exists()


PROJECT_MATRIX = [
    ("pipeline:project-detail", "get", [200, 200, 200, 404, 404, 200, 200]),
    # the page's sections, each with its own URL ("name|section")
    ("pipeline:project-section|control", "get", [200, 200, 200, 404, 404, 200, 200]),
    ("pipeline:project-section|people", "get", [200, 200, 200, 404, 404, 200, 200]),
    ("pipeline:project-section|paperwork", "get", [200, 200, 200, 404, 404, 200, 200]),
    ("pipeline:project-section|history", "get", [200, 200, 200, 404, 404, 200, 200]),
    ("pipeline:project-update", "get", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:project-advance", "get", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:project-step-back", "get", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:project-close", "get", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:project-customer-stage", "get", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:buying-center", "get", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:procurement-map", "get", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:board-move", "post", [404, 403, 404, 404, 404, 404, 404]),  # 404: no stage given
    # an empty post is refused: those allowed get the form back with its errors (200)
    ("pipeline:member-add", "post", [200, 403, 200, 404, 404, 200, 200]),
    ("pipeline:task-create", "post", [200, 403, 200, 404, 404, 200, 200]),
]


@pytest.mark.parametrize(
    ("url_name", "method", "persona", "expected"),
    [
        pytest.param(name, method, persona, expected[i], id=f"{name}-{persona}")
        for name, method, expected in PROJECT_MATRIX
        for i, persona in enumerate(PERSONAS)
    ],
)
def test_project_pages_answer_each_persona_as_the_rules_say(
    request, client, project, url_name, method, persona, expected
):
    client.force_login(request.getfixturevalue(persona))
    url_name, _, section = url_name.partition("|")
    url = reverse(url_name, args=[project.pk, *([section] if section else [])])
    response = client.post(url, {}) if method == "post" else client.get(url)
    assert response.status_code == expected


@pytest.mark.parametrize(
    "url_name",
    ["pipeline:project-list", "pipeline:board", "pipeline:my-day", "pipeline:case-list", "pipeline:project-create"],
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_pipeline_pages_open_for_every_persona(request, client, project, persona, url_name):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(url_name)).status_code == 200


def test_a_project_team_member_from_another_team_reads_and_edits_it(client, project, other_rep):
    from pipeline.models import ProjectMember

    ProjectMember.objects.create(project=project, user=other_rep, role="engineer")
    client.force_login(other_rep)
    assert client.get(reverse("pipeline:project-detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("pipeline:project-update", args=[project.pk])).status_code == 200
    assert project.name in client.get(reverse("pipeline:project-list")).content.decode()
    assert client.get(reverse("customers:detail", args=[project.customer_id])).status_code == 404


def test_other_teams_projects_stay_off_lists_and_the_board(client, project, other_rep):
    client.force_login(other_rep)
    assert project.name not in client.get(reverse("pipeline:project-list")).content.decode()
    assert project.name not in client.get(reverse("pipeline:board")).content.decode()
