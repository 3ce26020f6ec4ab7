"""The morning digest: each person's open tasks due tomorrow or already overdue, in one message."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import notify

SHOWN = 8  # tasks named in the message; the rest are counted


def send(*, today: datetime.date) -> int:
    from pipeline.models import Task

    tomorrow = today + datetime.timedelta(days=1)
    users = get_user_model().objects.filter(is_active=True)
    tasks = (
        Task.objects.open()
        .filter(due_date__lte=tomorrow, owner__is_active=True)
        .order_by("owner_id", "due_date", "pk")
        .values_list("owner_id", "title", "due_date")
    )
    told = 0
    for owner_id, rows in groupby(tasks.iterator(chunk_size=2000), key=lambda row: row[0]):
        overdue: list[tuple[str, datetime.date]] = []
        due: list[tuple[str, datetime.date]] = []
        for _owner, title, due_date in rows:
            (overdue if due_date < today else due).append((title, due_date))
        owner = users.get(pk=owner_id)
        lines = [f"· {d:%m-%d} {t}" for t, d in (overdue + due)[:SHOWN]]
        if len(overdue) + len(due) > SHOWN:
            lines.append(_("……共 %(n)s 项") % {"n": len(overdue) + len(due)})
        told += notify(
            event=Event.TASK_DIGEST,
            recipients=[owner],
            key=f"digest:{owner_id}:{today:%Y%m%d}",
            title=_("今日提醒:%(overdue)s 项任务已逾期,%(due)s 项明天到期")
            % {"overdue": len(overdue), "due": len(due)},
            body="\n".join(lines),
            url=reverse("pipeline:my-day"),
        )
    return told
