"""What the detail page and the PDF print of a form's values: local times to the minute."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from demo.forms import demo_stage_form
from tests.forms_toolkit.test_forms import _pdf_text, needs_poppler

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def visit(rep, project):
    form = demo_stage_form("F05", project=project, by=rep, status="draft")
    form.visited_at = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
    form.save()
    return form


def test_a_visit_at_ten_shows_ten_on_the_page_not_utc(client, rep, visit):
    client.force_login(rep)
    page = client.get(visit.get_absolute_url()).content.decode()
    assert "2026年11月20日 10:00" in page
    assert "02:00" not in page


def test_a_call_time_shows_hours_and_minutes_without_seconds(client, rep, project):
    log = demo_stage_form("F01", project=project, by=rep, status="draft")
    log.rows.update(time=datetime.time(9, 30))
    client.force_login(rep)
    page = client.get(log.get_absolute_url()).content.decode()
    assert "09:30" in page and "09:30:00" not in page


@needs_poppler
def test_the_pdf_prints_the_local_time(client, rep, visit):
    client.force_login(rep)
    text = _pdf_text(client.get(reverse("forms_toolkit:pdf", args=["F05", visit.pk])).content)
    assert "10:00" in text and "02:00" not in text
