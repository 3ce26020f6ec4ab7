"""The ways out: email over SMTP (settings' EMAIL_*), and the group robots of 企业微信, 钉钉 and
飞书, each with its own message format and (钉钉, 飞书) its own HMAC-SHA256 signature. A send either
returns (the platform took the message) or raises ``SendFailed`` saying why."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from notifications.models import Delivery, Notification, Robot


class SendFailed(Exception):
    pass


def link(notification: Notification) -> str:
    return settings.SITE_URL.rstrip("/") + notification.url if notification.url else settings.SITE_URL


def send(delivery: Delivery) -> None:
    notification = delivery.notification
    with translation.override(settings.LANGUAGE_CODE):
        if delivery.channel == "email":
            _email(delivery, notification)
            return
        robot = delivery.robot
        if robot is None or not robot.active:
            raise SendFailed("robot removed")
        kind = Robot.Kind(robot.kind)
        url, payload = FORMATS[kind](robot, notification)
        _post(url, payload, accepted=ACCEPTED[kind])


def _email(delivery: Delivery, notification: Notification) -> None:
    context = {"notification": notification, "link": link(notification), "company": settings.COMPANY_NAME}
    message = EmailMessage(
        subject=f"[{settings.COMPANY_NAME}] {notification.title}",
        body=render_to_string("notifications/email.txt", context),
        to=[delivery.target.removeprefix("email:")],
        # The same Message-ID on a resend: mail clients show one message if one ever goes out twice.
        headers={"Message-ID": make_msgid(idstring=f"n{delivery.pk}", domain=settings.EMAIL_MESSAGE_DOMAIN)},
    )
    message.send()


def _text(notification: Notification) -> str:
    return render_to_string("notifications/robot.md", {"notification": notification, "link": link(notification)})


def _wecom(robot: Robot, notification: Notification) -> tuple[str, dict]:
    return robot.url, {"msgtype": "markdown", "markdown": {"content": _text(notification)}}


def _dingtalk(robot: Robot, notification: Notification) -> tuple[str, dict]:
    url = robot.url
    if robot.secret:
        # 加签: timestamp (ms) + "\n" + secret, HMAC-SHA256 keyed by the secret, base64, URL-encoded.
        timestamp = str(round(time.time() * 1000))
        digest = hmac.new(robot.secret.encode(), f"{timestamp}\n{robot.secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        url = f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"
    return url, {"msgtype": "markdown", "markdown": {"title": notification.title, "text": _text(notification)}}


def _feishu(robot: Robot, notification: Notification) -> tuple[str, dict]:
    lines = [[{"tag": "text", "text": line}] for line in notification.body.splitlines() if line.strip()]
    payload: dict = {
        "msg_type": "post",
        "content": {
            "post": {
                "zh_cn": {
                    "title": notification.title,
                    "content": [*lines, [{"tag": "a", "text": "打开", "href": link(notification)}]],
                }
            }
        },
    }
    if robot.secret:
        # 签名校验: HMAC-SHA256 keyed by timestamp (s) + "\n" + secret over nothing, base64.
        timestamp = str(int(time.time()))
        digest = hmac.new(f"{timestamp}\n{robot.secret}".encode(), b"", hashlib.sha256).digest()
        payload = {"timestamp": timestamp, "sign": base64.b64encode(digest).decode(), **payload}
    return robot.url, payload


FORMATS = {Robot.Kind.WECOM: _wecom, Robot.Kind.DINGTALK: _dingtalk, Robot.Kind.FEISHU: _feishu}
# What each platform answers when it took the message: {"errcode": 0} (企业微信, 钉钉), {"code": 0} (飞书).
ACCEPTED = {
    Robot.Kind.WECOM: lambda r: r.get("errcode") == 0,
    Robot.Kind.DINGTALK: lambda r: r.get("errcode") == 0,
    Robot.Kind.FEISHU: lambda r: r.get("code", r.get("StatusCode")) == 0,
}


def _post(url: str, payload: dict, *, accepted) -> None:
    request = urllib.request.Request(  # noqa: S310 (a robot URL on an allowed host, checked when saved)
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.NOTIFY_HTTP_TIMEOUT) as response:  # noqa: S310
            answer = response.read(65536)
    except urllib.error.HTTPError as error:
        raise SendFailed(f"HTTP {error.code}") from error
    except (OSError, ValueError) as error:
        raise SendFailed(str(error) or type(error).__name__) from error
    try:
        reply = json.loads(answer or b"{}")
    except ValueError as error:
        raise SendFailed(f"not JSON: {answer[:200]!r}") from error
    if not isinstance(reply, dict) or not accepted(reply):
        raise SendFailed(json.dumps(reply, ensure_ascii=False)[:500])
