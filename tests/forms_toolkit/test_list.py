"""The forms list: every type the user may read, newest first, paged across the types."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from demo.forms import demo_stage_form
from forms_toolkit import selectors


@pytest.fixture
def dated_forms(rep, project, customer):
    """Six forms of three types on six days, made out of date order."""
    today = timezone.localdate()
    made = []
    for days_ago, code, target in [
        (3, "F05", {"project": project}),
        (0, "F01", {"project": project}),
        (5, "F04", {"customer": customer}),
        (1, "F05", {"project": project}),
        (4, "F01", {"project": project}),
        (2, "F04", {"customer": customer}),
    ]:
        form = demo_stage_form(code, by=rep, status="draft", **target)
        form.filled_on = today - datetime.timedelta(days=days_ago)
        form.save(update_fields=["filled_on"])
        made.append((days_ago, code, form.pk))
    return [(code, pk) for _days, code, pk in sorted(made)]


def test_pages_run_newest_first_across_the_types(rep, dated_forms):
    listed = selectors.form_list(user=rep)
    first, second, third = listed[0:2], listed[2:4], listed[4:7]
    assert [(r["code"], r["pk"]) for r in first + second + third] == dated_forms
    assert len(third) == 2


def test_another_team_and_other_statuses_are_left_out(rep, other_rep, dated_forms):
    assert selectors.form_list(user=other_rep)[0:10] == []
    assert selectors.form_list(user=rep, status="submitted")[0:10] == []
    only_f01 = selectors.form_list(user=rep, code="F01")[0:10]
    assert [r["code"] for r in only_f01] == ["F01", "F01"]


def test_the_list_page_shows_every_type(client_for, rep, dated_forms):
    html = client_for(rep).get(reverse("forms_toolkit:list")).content.decode()
    assert html.count("F05-") >= 2 and "F04-" in html and "F01-" in html
