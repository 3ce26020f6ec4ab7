import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from agenda import ical, selectors, services
from agenda.models import CalendarFeed


def _anchor(request) -> datetime.date:
    """The day asked for (?d=2026-12-03), today when none or a bad one."""
    try:
        return datetime.date.fromisoformat(request.GET.get("d", ""))
    except ValueError:
        return timezone.localdate()


def week(request):
    anchor = _anchor(request)
    days = selectors.week(user=request.user, anchor=anchor)
    context = {
        "view": "week",
        "days": days,
        "anchor": anchor,
        "previous": days[0].day - datetime.timedelta(days=7),
        "next": days[0].day + datetime.timedelta(days=7),
        "today": timezone.localdate(),
    }
    return render(request, "agenda/week.html", context)


def month(request):
    anchor = _anchor(request).replace(day=1)
    weeks = selectors.month(user=request.user, anchor=anchor)
    context = {
        "view": "month",
        "weeks": weeks,
        "anchor": anchor,
        "previous": (anchor - datetime.timedelta(days=1)).replace(day=1),
        "next": (anchor + datetime.timedelta(days=32)).replace(day=1),
        "today": timezone.localdate(),
    }
    return render(request, "agenda/month.html", context)


def feed_settings(request):
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = request.build_absolute_uri(reverse("agenda:feed", args=[feed.token])) if feed else ""
    return render(request, "agenda/settings.html", {"feed": feed, "feed_url": url})


@require_POST
def feed_issue(request):
    replaced = CalendarFeed.objects.filter(user=request.user).exists()
    services.feed_issue(user=request.user)
    messages.success(request, _("已生成新的订阅地址,旧地址已失效。") if replaced else _("已生成订阅地址。"))
    return redirect("agenda:settings")


@require_POST
def feed_revoke(request):
    services.feed_revoke(user=request.user)
    messages.success(request, _("订阅地址已停用,日历应用将不再收到更新。"))
    return redirect("agenda:settings")


@login_not_required
@require_GET
def feed(request, token: str):
    """The feed a calendar app fetches: no login (apps cannot log in), the secret address is the key."""
    found = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if found is None:
        raise Http404
    services.feed_read(feed=found)
    response = HttpResponse(ical.feed(user=found.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="crm.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response
