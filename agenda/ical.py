"""The feed as iCalendar (RFC 5545, written by the ``icalendar`` library): visits at their agreed
time and place, tasks, promises and signing dates as all-day events."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from agenda import selectors

PAST_DAYS = 60
FUTURE_DAYS = 366
VISIT_LENGTH = datetime.timedelta(hours=1)


def feed(*, user) -> bytes:
    site = settings.SITE_URL.rstrip("/")
    host = urlsplit(site).hostname or "localhost"
    today = timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        calendar = Calendar()
        calendar.add("prodid", "-//project-sales-crm//agenda//ZH")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("%(name)s 的销售日程") % {"name": user.display_name})
        calendar.add("x-wr-timezone", settings.TIME_ZONE)
        # Calendar apps that honour them fetch the feed again every hour.
        calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
        stamp = timezone.now()
        for item in selectors.items(
            user=user,
            start=today - datetime.timedelta(days=PAST_DAYS),
            end=today + datetime.timedelta(days=FUTURE_DAYS),
        ):
            event = Event()
            event.add("uid", f"{item.uid}@{host}")
            event.add("dtstamp", stamp)
            summary = f"[{item.kind_label}] {item.title}"
            event.add("summary", f"✓ {summary}" if item.done else summary)
            if item.start is not None:
                event.add("dtstart", item.start.astimezone(datetime.UTC))
                event.add("dtend", (item.start + VISIT_LENGTH).astimezone(datetime.UTC))
            else:
                event.add("dtstart", item.day)
                event.add("dtend", item.day + datetime.timedelta(days=1))
                event.add("transp", "TRANSPARENT")
            if item.location:
                event.add("location", item.location)
            if item.description:
                event.add("description", item.description)
            event.add("url", site + item.url)
            event.add("categories", [str(item.kind_label)])
            calendar.add_component(event)
        return calendar.to_ical()
