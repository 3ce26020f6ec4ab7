"""The approval queue: filters by form, team, rep and age, counts per form, both orders, pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from demo.forms import demo_stage_form
from tests.factories import CustomerFactory


@pytest.fixture
def queue(rep, teammate, manager, other_rep, project, make_project):
    """Five forms waiting: rep's F05 (10 days), F12 (2 days), F05 (today); teammate's F05; another team's F17."""
    teammate_project = make_project(owner=teammate, name="二号线改造")
    forms = {
        "old_visit": demo_stage_form("F05", project=project, by=rep),
        "research": demo_stage_form("F12", project=project, by=rep),
        "new_visit": demo_stage_form("F05", project=project, by=rep),
        "teammate_visit": demo_stage_form("F05", project=teammate_project, by=teammate),
    }
    elsewhere = make_project(owner=other_rep, customer_=CustomerFactory(owner=other_rep), name="北方项目")
    forms["other_team"] = demo_stage_form("F17", project=elsewhere, by=other_rep)
    now = timezone.now()
    for name, days in (("old_visit", 10), ("research", 2), ("new_visit", 0), ("teammate_visit", 1), ("other_team", 5)):
        form = forms[name]
        form.submitted_at = now - datetime.timedelta(days=days, minutes=1)
        form.save(update_fields=["submitted_at"])  # the form and its FormRecord
    return forms


def _numbers(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("forms_toolkit:queue"), params)
    assert response.status_code == 200
    return [i["number"] for i in response.context["items"]], response


def test_oldest_first_by_default_and_newest_first_on_request(client, manager, queue):
    oldest, _ = _numbers(client, manager)
    assert oldest[0] == queue["old_visit"].number and oldest[-1] == queue["new_visit"].number
    newest, _ = _numbers(client, manager, order="newest")
    assert newest == list(reversed(oldest))


def test_filters_by_form_rep_and_age_with_counts_per_form(client, manager, rep, queue):
    visits, response = _numbers(client, manager, type="F05")
    assert set(visits) == {queue[n].number for n in ("old_visit", "new_visit", "teammate_visit")}
    counts = {t.code: n for t, n, _url in response.context["counts"]}
    assert counts == {"F05": 3, "F12": 1}  # another team's F17 is not this manager's
    mine, _ = _numbers(client, manager, rep=rep.pk)
    assert queue["teammate_visit"].number not in mine and len(mine) == 3
    waiting, response = _numbers(client, manager, age="7")
    assert waiting == [queue["old_visit"].number]
    assert {t.code: n for t, n, _url in response.context["counts"]} == {"F05": 1}


def test_a_director_filters_by_team(client, director, other_rep, queue):
    everything, _ = _numbers(client, director)
    assert len(everything) == 5
    north, _ = _numbers(client, director, team=other_rep.team_id)
    assert north == [queue["other_team"].number]


def test_a_manager_cannot_filter_another_team_in(client, manager, other_rep, queue):
    numbers, _ = _numbers(client, manager, team=other_rep.team_id)
    assert queue["other_team"].number not in numbers


def test_bad_filter_values_are_ignored_not_a_500(client, manager, queue):
    numbers, response = _numbers(client, manager, type="F99", age="abc", rep="x", order="sideways", page="zz")
    assert len(numbers) == 4


def test_the_queue_pages(client, manager, rep, project):
    for _ in range(27):
        demo_stage_form("F05", project=project, by=rep)
    first, response = _numbers(client, manager)
    assert len(first) == 25 and response.context["page"].has_next
    second, _ = _numbers(client, manager, page=2)
    assert len(second) == 2 and not set(first) & set(second)


def test_approving_from_a_filtered_page_comes_back_to_it(client, manager, queue):
    client.force_login(manager)
    here = reverse("forms_toolkit:queue") + "?type=F05&order=newest"
    form = queue["new_visit"]
    response = client.post(
        reverse("forms_toolkit:decide", args=["F05", form.pk]), {"decision": "approve", "next": here}
    )
    assert response["Location"] == here
