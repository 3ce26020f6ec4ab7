"""Real servers for the notification tests: an SMTP server (aiosmtpd) and an HTTP server that plays
企业微信's, 钉钉's and 飞书's robot webhooks, checking each one's message format and signature as
the platform does, and answering as it does."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
import threading
import time
import urllib.parse
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: keeps each message it accepted. ``hold`` makes the next DATA wait (the
    sender may be killed meanwhile: a message whose sender went away is never accepted)."""

    def __init__(self):
        self.messages = []
        self.started = threading.Event()
        self.hold = 0.0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.started.set()
        if self.hold:
            hold, self.hold = self.hold, 0.0
            await asyncio.sleep(hold)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SMTPServer:
    def __init__(self):
        self.mailbox = Mailbox()
        self.port = free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def messages(self):
        return self.mailbox.messages


def _dingtalk_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _feishu_sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class RobotServer:
    """POST /wecom?key=…, /dingtalk?access_token=…, /feishu/<hook>: checked as the platform checks;
    ``accepted`` keeps what the platform would post in the group, ``refused`` what it would not."""

    secrets = {"dingtalk": "SECdingtalk-test-secret", "feishu": "feishu-test-secret"}

    def __init__(self):
        self.accepted: list[tuple[str, dict]] = []
        self.refused: list[tuple[str, str]] = []
        self.fail_next = 0  # answer the next N with the platform's error
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802 (http.server's name)
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                kind = url.path.strip("/").split("/")[0]
                try:
                    payload = json.loads(body)
                    problem = server.check(kind, query, payload, self.headers)
                except ValueError as error:
                    problem, payload = f"not JSON: {error}", {}
                if problem is None and server.fail_next:
                    server.fail_next -= 1
                    problem = "busy"
                if problem is None:
                    server.accepted.append((kind, payload))
                else:
                    server.refused.append((kind, problem))
                answer = {"feishu": {"code": 0, "msg": "success"}}.get(kind, {"errcode": 0, "errmsg": "ok"})
                if problem is not None:
                    answer = (
                        {"code": 19021, "msg": problem} if kind == "feishu" else {"errcode": 310000, "errmsg": problem}
                    )
                data = json.dumps(answer).encode()
                self.send_response(200)  # the platforms answer 200 and say in the body
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.port = free_port()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)

    def url(self, kind: str) -> str:
        return {
            "wecom": f"http://127.0.0.1:{self.port}/wecom?key=test-key",
            "dingtalk": f"http://127.0.0.1:{self.port}/dingtalk?access_token=test-token",
            "feishu": f"http://127.0.0.1:{self.port}/feishu/test-hook",
        }[kind]

    def check(self, kind: str, query: dict, payload: dict, headers) -> str | None:
        if not headers.get("Content-Type", "").startswith("application/json"):
            return "Content-Type must be application/json"
        now = time.time()
        if kind == "wecom":
            if query.get("key") != ["test-key"]:
                return "invalid webhook key"
            if payload.get("msgtype") != "markdown" or not payload.get("markdown", {}).get("content"):
                return "markdown.content missing"
            if len(payload["markdown"]["content"].encode()) > 4096:
                return "content exceeds 4096 bytes"
            return None
        if kind == "dingtalk":
            if query.get("access_token") != ["test-token"]:
                return "token is not exist"
            timestamp, sign = (query.get("timestamp") or [""])[0], (query.get("sign") or [""])[0]
            if not timestamp or abs(now * 1000 - int(timestamp)) > 3600 * 1000:
                return "timestamp missing or more than an hour off"
            if sign != _dingtalk_sign(self.secrets["dingtalk"], timestamp):
                return "sign not match"
            markdown = payload.get("markdown", {})
            if payload.get("msgtype") != "markdown" or not markdown.get("title") or not markdown.get("text"):
                return "markdown.title and markdown.text required"
            return None
        if kind == "feishu":
            timestamp, sign = payload.get("timestamp", ""), payload.get("sign", "")
            if not timestamp or abs(now - int(timestamp)) > 3600:
                return "timestamp is not within one hour from current time"
            if sign != _feishu_sign(self.secrets["feishu"], timestamp):
                return "sign match fail"
            post = payload.get("content", {}).get("post", {}).get("zh_cn", {})
            if payload.get("msg_type") != "post" or not post.get("title") or not post.get("content"):
                return "post.zh_cn title and content required"
            if not all(isinstance(line, list) and all("tag" in e for e in line) for line in post["content"]):
                return "each line is a list of tagged elements"
            return None
        return f"no such platform {kind}"

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
