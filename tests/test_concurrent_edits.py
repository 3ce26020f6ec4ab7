"""Two people editing the same customer, contact, project or paper form: the second save over the
first is refused (409, both sides shown, nothing written); saving again then is a choice made seeing it."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.test_fuzz import _forms_of

pytestmark = pytest.mark.django_db


def _opened(client, url) -> dict[str, list[str]]:
    """What the edit page would send back unchanged."""
    [form] = [f for f in _forms_of(client, url) if f.action == url]
    body: dict[str, list[str]] = {}
    for field in form.fields:
        if field.kind == "submit" or (field.kind in {"checkbox", "radio"} and not field.value):
            continue
        body.setdefault(field.name, []).append(field.value)
    return body


def _two(first, second):
    a, b = Client(), Client()
    a.force_login(first, backend="accounts.backends.TeamAwareModelBackend")
    b.force_login(second, backend="accounts.backends.TeamAwareModelBackend")
    return a, b


@pytest.mark.parametrize("record", ["customer", "contact", "project", "profile"])
def test_the_second_save_over_a_newer_version_writes_nothing_and_shows_both(
    rep, manager, customer, contact, project, record
):
    from tests.factories import DecisionMakerProfileFactory

    profile = DecisionMakerProfileFactory(contact=contact, filled_by=rep)
    obj, url, field, theirs, mine = {
        "customer": (
            customer,
            reverse("customers:update", args=[customer.pk]),
            "phone",
            "021-11111111",
            "021-22222222",
        ),
        "contact": (contact, reverse("contacts:update", args=[contact.pk]), "title", "总经理", "副总经理"),
        "project": (project, reverse("pipeline:project-update", args=[project.pk]), "name", "他的项目名", "我的项目名"),
        "profile": (profile, reverse("contacts:profile", args=[contact.pk]), "spouse_interests", "钓鱼", "围棋"),
    }[record]
    a, b = _two(rep, manager)
    body_a, body_b = _opened(a, url), _opened(b, url)
    assert body_a["version"] == body_b["version"] == [str(obj.version)]
    body_a[field] = [theirs]
    assert a.post(url, body_a).status_code == 302
    body_b[field] = [mine]
    refused = b.post(url, body_b)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "其他人已经保存了新的内容" in page and theirs in page and mine in page  # theirs beside mine, mine kept
    obj.refresh_from_db()
    assert getattr(obj, field) == theirs  # nothing of the second save written
    again = _opened_from(refused, url)
    assert b.post(url, again).status_code == 302  # saving again, having seen theirs, is the user's choice
    obj.refresh_from_db()
    assert getattr(obj, field) == mine


def _opened_from(response, url) -> dict[str, list[str]]:
    from tests.test_fuzz import Forms

    parser = Forms(url)
    parser.feed(response.content.decode())
    [form] = [f for f in parser.forms if f.action == url]
    body: dict[str, list[str]] = {}
    for field in form.fields:
        if (
            field.kind == "submit"
            or field.kind == "select"
            or (field.kind in {"checkbox", "radio"} and not field.value)
        ):
            continue
        body.setdefault(field.name, []).append(field.value)
    for name, value in response.context["form"].data.lists():
        body.setdefault(name, value)
    return body


def test_the_project_edit_saves_only_what_it_changed_never_the_stage(rep, manager, project, stage):
    from pipeline import services
    from tests.pipeline.conftest import satisfy_through

    url = reverse("pipeline:project-update", args=[project.pk])
    a, _b = _two(rep, manager)
    body = _opened(a, url)
    satisfy_through(project, 2, rep)
    services.project_advance_stage(project=project, to_stage=stage(2), by=manager)  # meanwhile, on the board
    project.refresh_from_db()
    probability = project.win_probability
    body["amount"] = ["2500000"]
    assert a.post(url, body).status_code == 302
    project.refresh_from_db()
    assert project.stage.number == 2 and project.win_probability == probability
    assert project.amount == 2500000


def test_a_change_to_a_paper_forms_rows_alone_is_a_conflict_too(rep, manager, project):
    from demo.forms import demo_stage_form

    form = demo_stage_form("F01", project=project, by=rep, status="draft")
    url = reverse("forms_toolkit:update", args=["F01", form.pk])
    a, b = _two(rep, manager)
    body_a, body_b = _opened(a, url), _opened(b, url)
    row = next(name for name in body_a if name.endswith("-0-conversation"))
    body_a[row] = ["客户确认了预算:八百万"]
    assert a.post(url, body_a).status_code == 302
    body_b[row] = ["我记下的另一段谈话"]
    refused = b.post(url, body_b)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "客户确认了预算:八百万" in page  # their rows, shown beside the form
    assert "我记下的另一段谈话" in page  # mine, still in the form
    assert form.rows.get(seq=1).conversation == "客户确认了预算:八百万"
