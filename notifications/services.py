"""Telling people: ``notify`` (called inside the transaction of the change it tells of) records one
notification per person and one delivery per address, and sends them once the change has committed.
A channel that fails is retried later by its task and never touches the change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import attribute_change
from notifications.models import Channel, ChannelChoice, Delivery, Event, Notification, Robot

if TYPE_CHECKING:
    from accounts.models import User

# Where each platform's webhooks live (what the hint names; settings.NOTIFY_ROBOT_HOSTS is what is taken).
ROBOT_HOSTS = {
    Robot.Kind.WECOM: ["qyapi.weixin.qq.com"],
    Robot.Kind.DINGTALK: ["oapi.dingtalk.com"],
    Robot.Kind.FEISHU: ["open.feishu.cn", "open.larksuite.com"],
}


def channels_of(users: Iterable[User]) -> dict[int, ChannelChoice]:
    """Each person's choice (an unsaved default for those who never chose)."""
    users = list(users)
    chosen = {c.user_id: c for c in ChannelChoice.objects.filter(user__in=users)}
    return {u.pk: chosen.get(u.pk) or ChannelChoice(user=u) for u in users}


def robots_for(users: Iterable[User]) -> dict[int, list[Robot]]:
    """Each person's robots: their own and their team's."""
    users = list(users)
    teams = {u.team_id for u in users} - {None}
    robots = list(Robot.objects.filter(Q(user__in=users) | Q(team_id__in=teams), active=True))
    return {
        u.pk: [r for r in robots if r.user_id == u.pk or (r.team_id is not None and r.team_id == u.team_id)]
        for u in users
    }


def notify(
    *,
    event: str,
    recipients: Iterable[User | None],
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    by: User | None = None,
) -> int:
    """Tell each recipient (not ``by``, who did it) of one event, by the channels each chose; the same
    ``key`` twice tells nobody twice. Returns how many were told."""
    people = {u.pk: u for u in recipients if u is not None and u.is_active and (by is None or u.pk != by.pk)}
    if not people:
        return 0
    key = key[:120]
    already = set(Notification.objects.filter(key=key, recipient_id__in=people).values_list("recipient_id", flat=True))
    people = {pk: u for pk, u in people.items() if pk not in already}
    if not people:
        return 0
    choices = channels_of(people.values())
    robots = robots_for(people.values())
    now = timezone.now()
    deliveries: list[Delivery] = []
    for pk, person in people.items():
        channels = choices[pk].for_event(event)
        notification = Notification.objects.create(
            recipient=person,
            event=event,
            key=key,
            title=title[:200],
            body=body,
            url=url,
            in_app=Channel.IN_APP in channels,
            created_at=now,
        )
        if Channel.EMAIL in channels and person.email and "default" in settings.MAILERS:
            deliveries.append(
                Delivery(notification=notification, channel="email", target=f"email:{person.email.lower()}", key=key)
            )
        if Channel.ROBOT in channels:
            deliveries += [
                Delivery(notification=notification, channel=r.kind, target=f"robot:{r.pk}", key=key, robot=r)
                for r in robots[pk]
            ]
    if deliveries:
        Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        transaction.on_commit(lambda: send_pending(key=key), robust=True)
    return len(people)


def send_pending(*, key: str | None = None) -> int:
    """Hand the waiting deliveries (of one event, or all that are due) to the workers."""
    from notifications.sending import due_ids
    from notifications.tasks import deliver

    if key is not None:
        ids = list(Delivery.objects.filter(key=key, status=Delivery.Status.PENDING).values_list("pk", flat=True))
    else:
        ids = due_ids()
    for pk in ids:
        deliver.delay(pk)
    return len(ids)


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, in_app=True, read_at__isnull=True).count()


def notifications_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's own notifications read (these, or all)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def channels_save(*, user: User, channels: dict[str, list[str]]) -> ChannelChoice:
    choice = ChannelChoice.objects.select_for_update().filter(user=user).first() or ChannelChoice(user=user)
    choice.channels = {event: sorted(set(channels.get(event, [])) & set(Channel.values)) for event in Event.values}
    attribute_change(choice, user)
    choice.save()
    return choice


def may_set_team_robots(*, user: User) -> bool:
    """A team's manager sets up the team's group robots (a director has no team: admins use the admin)."""
    return bool(user.is_manager and user.team_id is not None)


def may_manage_robot(*, user: User, robot: Robot) -> bool:
    if robot.user_id is not None:
        return bool(robot.user_id == user.pk)
    return bool(user.sees_everything or user.manages(robot.team_id))


@transaction.atomic
def robot_save(*, robot: Robot, by: User) -> Robot:
    """A new or changed robot, its owner checked: one's own, or a team's by its manager."""
    if robot.team_id is None and robot.user_id is None:
        robot.user = by
    if not may_manage_robot(user=by, robot=robot):
        raise PermissionDenied(_("只有团队的销售经理可以设置团队的群机器人。"))
    if robot.kind == Robot.Kind.WECOM and robot.secret:
        raise ValidationError({"secret": _("企业微信群机器人没有加签密钥,请留空。")}, code="no_secret")
    if robot._state.adding:
        robot.created_by = by
    robot.full_clean()
    host = (urlsplit(robot.url).hostname or "").lower()
    if host not in settings.NOTIFY_ROBOT_HOSTS:
        raise ValidationError(
            {
                "url": _("这不是%(kind)s群机器人的地址:请从群设置里复制 Webhook 地址(应当以 %(hosts)s 开头)。")
                % {
                    "kind": robot.get_kind_display(),
                    "hosts": " / ".join(f"https://{h}" for h in ROBOT_HOSTS[Robot.Kind(robot.kind)]),
                }
            },
            code="robot_host",
        )
    attribute_change(robot, by)
    robot.save()
    return robot


@transaction.atomic
def robot_remove(*, robot: Robot, by: User) -> None:
    if not may_manage_robot(user=by, robot=robot):
        raise PermissionDenied(_("只有团队的销售经理可以设置团队的群机器人。"))
    attribute_change(robot, by)
    robot.delete()
