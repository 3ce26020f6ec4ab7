from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications import selectors, services
from notifications.forms import ChannelsForm, RobotForm
from notifications.models import Channel, Notification


def bell(request):
    """The navbar's bell, fetched after the page (no page pays for it): the unread count."""
    return render(request, "notifications/includes/bell.html", {"unread": services.unread_count(request.user)})


def notification_list(request):
    page = Paginator(selectors.notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/notification_list.html",
        {"page": page, "unread": services.unread_count(request.user)},
    )


def notification_open(request, pk: int):
    """Follow a notification to its page, marking it read on the way."""
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notifications_read(user=request.user, ids=[notification.pk])
    safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()})
    return redirect(notification.url if notification.url and safe else "notifications:list")


@require_POST
def notifications_read(request):
    ids = None if request.POST.get("all") else [int(v) for v in request.POST.getlist("id") if v.isdigit()]
    services.notifications_read(user=request.user, ids=ids)
    return redirect("notifications:list")


def settings_page(request):
    choice = services.channels_of([request.user])[request.user.pk]
    may_team = services.may_set_team_robots(user=request.user)
    channels_form = ChannelsForm(choice=choice)
    robot_form = RobotForm(may_team=may_team)
    status = 200
    if request.method == "POST" and request.POST.get("save") == "channels":
        channels_form = ChannelsForm(request.POST, choice=choice)
        if channels_form.is_valid():
            services.channels_save(user=request.user, channels=channels_form.channels())
            messages.success(request, _("通知方式已保存。"))
            return redirect("notifications:settings")
    elif request.method == "POST" and request.POST.get("save") == "robot":
        robot_form = RobotForm(request.POST, may_team=may_team)
        if robot_form.is_valid():
            robot = robot_form.save(commit=False)
            if robot_form.cleaned_data.get("for_team"):
                robot.team_id = request.user.team_id
            else:
                robot.user = request.user
            try:
                services.robot_save(robot=robot, by=request.user)
            except ValidationError as refused:
                for field, errors in refused.message_dict.items() if hasattr(refused, "error_dict") else []:
                    robot_form.add_error(field if field in robot_form.fields else None, errors)
                if not hasattr(refused, "error_dict"):
                    robot_form.add_error(None, refused)
            else:
                messages.success(request, _("群机器人已添加。"))
                return redirect("notifications:settings")
        status = 400
    context = {
        "channels_form": channels_form,
        "robot_form": robot_form,
        "robots": [
            (robot, services.may_manage_robot(user=request.user, robot=robot))
            for robot in selectors.robots_of(request.user)
        ],
        "deliveries": selectors.recent_deliveries(request.user),
        "has_email": bool(request.user.email),
        "mail_ready": "default" in settings.MAILERS,
        "channel_labels": Channel.labels,
    }
    return render(request, "notifications/settings.html", context, status=status)


@require_POST
def robot_remove(request, pk: int):
    robot = get_object_or_404(selectors.robots_of(request.user), pk=pk)
    services.robot_remove(robot=robot, by=request.user)
    messages.success(request, _("群机器人已删除。"))
    return redirect("notifications:settings")
