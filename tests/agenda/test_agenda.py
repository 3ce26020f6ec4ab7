"""The calendar: one source for the week and month agenda and the secret iCalendar feed, which two
parsers (icalendar and vobject) read back as calendar apps would."""

import datetime

import icalendar
import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from agenda import selectors, services
from demo.forms import demo_stage_form
from forms_toolkit import services as form_services
from pipeline.models import Project
from pipeline.services import task_create

TZ = timezone.get_default_timezone()


@pytest.fixture
def plans(project, rep, manager):
    """A next visit agreed on an F05 (handed in: it became a task too), a promise, a task of the
    rep's, and the project's expected signing in three weeks."""
    today = timezone.localdate()
    report = demo_stage_form("F05", project=project, by=rep, status="draft")
    at = datetime.datetime.combine(today + datetime.timedelta(days=2), datetime.time(14, 30), tzinfo=TZ)
    report.next_visit_at, report.next_visit_place, report.next_visit_purpose = at, "客户三号厂房会议室", "技术交流"
    report.save()
    report.commitments.all().delete()
    form_services.stage_form_submit(form=report, by=rep)
    task_create(customer=project.customer, project=project, title="寄送样品手册", owner=rep, due_date=today, by=rep)
    Project.objects.filter(pk=project.pk).update(expected_close_date=today + datetime.timedelta(days=21))
    return {"report": report, "visit_at": at}


def test_the_week_shows_the_visit_at_its_time_and_place_once(client, rep, plans):
    client.force_login(rep)
    page = client.get(reverse("agenda:week"), {"d": plans["visit_at"].date().isoformat()}).content.decode()
    assert page.count("客户三号厂房会议室") == 1 and "14:30" in page  # the visit, not also its task
    items = selectors.items(
        user=rep, start=timezone.localdate(), end=timezone.localdate() + datetime.timedelta(days=30)
    )
    assert [i.kind for i in items].count("visit") == 1
    assert {"task", "visit", "signing"} <= {i.kind for i in items}


def test_the_month_shows_every_kind_and_pages_between_months(client, rep, plans):
    client.force_login(rep)
    today = timezone.localdate()
    page = client.get(reverse("agenda:month"), {"d": today.isoformat()}).content.decode()
    assert "寄送样品手册" in page
    signing = today + datetime.timedelta(days=21)
    page = client.get(reverse("agenda:month"), {"d": signing.isoformat()}).content.decode()
    assert "预计签约" in page and "桥式起重机改造" in page
    assert client.get(reverse("agenda:month"), {"d": "2026-13-45"}).status_code == 200  # a bad date: this month


def test_nobody_sees_anothers_agenda(client, other_rep, plans):
    client.force_login(other_rep)
    page = client.get(reverse("agenda:week"), {"d": plans["visit_at"].date().isoformat()}).content.decode()
    assert "客户三号厂房会议室" not in page and "寄送样品手册" not in page


def _feed(client, rep):
    token = services.feed_issue(user=rep).token
    client.logout()  # a calendar app has no session
    response = client.get(reverse("agenda:feed", args=[token]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    return token, response.content


def test_the_feed_parses_back_with_icalendar(client, rep, plans):
    _token, body = _feed(client, rep)
    calendar = icalendar.Calendar.from_ical(body)
    events = {str(e["uid"]).split("@")[0]: e for e in calendar.walk("VEVENT")}
    visit = events[f"visit-{plans['report'].pk}"]
    assert visit.decoded("dtstart") == plans["visit_at"].astimezone(datetime.UTC)
    assert visit.decoded("dtend") - visit.decoded("dtstart") == datetime.timedelta(hours=1)
    assert str(visit["location"]) == "客户三号厂房会议室" and "技术交流" in str(visit["description"])
    assert str(visit["url"]).endswith(plans["report"].get_absolute_url())
    task = next(e for uid, e in events.items() if uid.startswith("task-"))
    assert task.decoded("dtstart") == timezone.localdate() and "寄送样品手册" in str(task["summary"])
    signing = next(e for uid, e in events.items() if uid.startswith("signing-"))
    assert signing.decoded("dtstart") == timezone.localdate() + datetime.timedelta(days=21)
    assert not any(uid.endswith("next-visit") for uid in events)  # the visit's task is not a second event
    assert "的销售日程" in str(calendar["x-wr-calname"])


def test_the_feed_parses_back_with_vobject(client, rep, plans):
    _token, body = _feed(client, rep)
    calendar = vobject.readOne(body.decode())
    events = {e.uid.value.split("@")[0]: e for e in calendar.vevent_list}
    visit = events[f"visit-{plans['report'].pk}"]
    assert visit.dtstart.value == plans["visit_at"]
    assert visit.location.value == "客户三号厂房会议室"
    assert any(e.summary.value.endswith("寄送样品手册") for e in events.values())
    assert all(e.dtstamp.value.tzinfo is not None for e in events.values())


def test_a_new_address_revokes_the_old_and_stopping_revokes_both(client, rep, plans):
    old, _body = _feed(client, rep)
    client.force_login(rep)
    client.post(reverse("agenda:feed-issue"))
    client.logout()
    assert client.get(reverse("agenda:feed", args=[old])).status_code == 404
    from agenda.models import CalendarFeed

    new = CalendarFeed.objects.get(user=rep).token
    assert new != old and client.get(reverse("agenda:feed", args=[new])).status_code == 200
    client.force_login(rep)
    client.post(reverse("agenda:feed-revoke"))
    client.logout()
    assert client.get(reverse("agenda:feed", args=[new])).status_code == 404
    assert client.get(reverse("agenda:feed", args=["guess"])).status_code == 404


def test_the_subscribe_page_shows_the_address(client, rep):
    client.force_login(rep)
    client.post(reverse("agenda:feed-issue"))
    page = client.get(reverse("agenda:settings")).content.decode()
    from agenda.models import CalendarFeed

    assert CalendarFeed.objects.get(user=rep).token in page
