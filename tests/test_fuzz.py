"""Generated form posts against every create and edit form a rep and a manager can reach.

The forms are found on the pages themselves (every POST form of the demo organisation's pages:
customers, contacts, F16, projects and their sections, F08/F09, all paper forms new and filled,
tasks, members, targets, anomalies and forecast actions), so a new form is fuzzed without a line
here. Each body starts from what the page would send and has some fields dropped or replaced by
hostile values (management data of row tables included). No answer may be a 500; a refusal is
said in Chinese and shows what was typed.
"""

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User

pytestmark = pytest.mark.django_db

EXAMPLES = 50
NASTY = [
    "",
    " ",
    "abc",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "-0.0000001",
    "2026-13-45",
    "9999-12-31",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "=cmd|' /C calc'!A0",
    "☃" * 300,
    "a" * 5000,
    "\x00",
    "{}",
    "[1,2]",
]
# Forms that are not data entry: they sign out, switch the language or queue a recompute.
NOT_FUZZED = re.compile(r"/accounts/logout/|/i18n/setlang/|/control/recompute/")
CJK = re.compile(r"[\u4e00-\u9fff]")
ERROR_MARKS = ("is-invalid", "invalid-feedback", "alert-danger", "errorlist")
TYPED = {"text", "number", "date", "datetime-local", "email", "tel", "url", "search", "textarea", "time"}


@dataclass
class Field:
    name: str
    kind: str
    value: str
    options: list[str] = field(default_factory=list)


@dataclass
class PostForm:
    action: str
    fields: list[Field]


class Forms(HTMLParser):
    """Every POST form of a page: its action and the fields it would send."""

    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url, self.forms, self._form, self._select, self._textarea = page_url, [], None, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            action = a.get("action") or a.get("hx-post") or self.page_url
            self._form = PostForm(action=urlparse(urljoin(self.page_url, action)).path, fields=[])
            self.forms.append(self._form)
        if self._form is None or not a.get("name"):
            return
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in {"checkbox", "radio"} and "checked" not in a:
                self._form.fields.append(Field(a["name"], kind, "", [a.get("value", "on")]))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self._form.fields.append(Field(a["name"], kind, a.get("value", "")))
        elif tag == "select":
            self._select = Field(a["name"], "select", "")
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", "")
            self._form.fields.append(self._textarea)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form.fields.append(Field(a["name"], "submit", a.get("value", "")))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _forms_of(client, url) -> list[PostForm]:
    response = client.get(url)
    if response.status_code != 200:
        return []
    html = response.content.decode()
    parser = Forms(url)
    parser.feed(html)
    # the options of each select: what a user could pick, and which one is picked
    for form in parser.forms:
        for f in form.fields:
            if f.kind == "select":
                match = re.search(rf'<select[^>]*name="{re.escape(f.name)}"[^>]*>(.*?)</select>', html, re.S)
                if match:
                    f.options = [unescape(v) for v in re.findall(r'<option[^>]*value="([^"]*)"', match.group(1))]
                    chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', match.group(1))
                    f.value = unescape(chosen.group(1)) if chosen else (f.options[0] if f.options else "")
    return [f for f in parser.forms if not NOT_FUZZED.search(f.action)]


def _pages(*, rep, manager) -> list[tuple[User, str]]:
    from contacts.models import Contact
    from forecasting.models import Anomaly
    from forms_toolkit.registry import registry
    from pipeline.models import Project

    project = Project.objects.open().filter(owner=rep).order_by("pk").first()
    customer = project.customer
    contact = Contact.objects.filter(customer=customer).order_by("pk").first()
    pages = [
        (rep, "/customers/new/"),
        (rep, f"/customers/{customer.pk}/edit/"),
        (rep, f"/contacts/new/?customer={customer.pk}"),
        (rep, f"/contacts/{contact.pk}/edit/"),
        (rep, f"/contacts/{contact.pk}/decision-maker/"),
        (rep, f"/projects/new/?customer={customer.pk}"),
        (rep, f"/projects/{project.pk}/edit/"),
        (rep, f"/projects/{project.pk}/buying-center/"),
        (rep, f"/projects/{project.pk}/procurement-map/"),
        *[(rep, f"/projects/{project.pk}/sections/{s}/") for s in ("control", "people", "paperwork")],
        (rep, project.get_absolute_url()),
        (manager, f"/projects/{project.pk}/sections/control/"),
        (manager, "/control/targets/"),
    ]
    anomaly = Anomaly.objects.filter(team=rep.team).order_by("pk").first()
    if anomaly:
        pages.append((manager, anomaly.get_absolute_url()))
    for form_type in registry.all():
        where = f"project={project.pk}" if form_type.level == "project" else f"customer={customer.pk}"
        pages.append((rep, f"/forms/{form_type.code}/new/?{where}"))
        filled = form_type.model.objects.filter(status__in=["draft", "returned"]).order_by("pk").first()
        if filled is None:
            filled = form_type.model.objects.order_by("pk").first()
        if filled is not None:
            owner = User.objects.get(pk=filled.filled_by_id) if hasattr(filled, "filled_by_id") else rep
            pages.append((owner, f"/forms/{form_type.code}/{filled.pk}/edit/"))
            pages.append((manager, f"/forms/{form_type.code}/{filled.pk}/"))
    return pages


def _body(draw, form: PostForm) -> tuple[dict[str, list[str]], set[str], set[str]]:
    """What the page would send, some fields dropped or replaced; the names typed by hand; the names
    dropped or replaced."""
    body: dict[str, list[str]] = {}
    typed: set[str] = set()
    altered: set[str] = set()
    nasty = st.one_of(
        st.sampled_from(NASTY),
        st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
        st.integers(-(10**20), 10**20).map(str),
    )
    for f in form.fields:
        if f.name == "csrfmiddlewaretoken":
            continue
        choice = draw(st.sampled_from(["keep", "keep", "drop", "nasty"]))
        if f.kind == "submit":
            if draw(st.booleans()):
                body.setdefault(f.name, []).append(f.value)
            continue
        if choice != "keep":
            altered.add(f.name)
        if choice == "drop":
            continue
        if choice == "nasty":
            value = draw(nasty)
            if f.kind in TYPED:
                typed.add(f.name)
        elif f.kind in {"checkbox", "radio"}:
            if not draw(st.booleans()):
                continue
            value = f.options[0] if f.options else f.value
        elif f.kind == "select" and f.options and draw(st.booleans()):
            value = draw(st.sampled_from(f.options))
        else:
            value = f.value
        body.setdefault(f.name, []).append(value)
    return body, typed, altered


ROW = re.compile(r"^(?P<prefix>.+)-(?P<index>\d+|__prefix__)-(?P<name>[^-]+)$")


def _rows_shown(name, altered) -> bool:
    """A row's fields are shown again only when the table's management data and the row's id came
    as the page sent them (otherwise the table is refused as tampered with, which only a forged post does)."""
    row = ROW.match(name)
    if row is None:
        return True
    if row["index"] == "__prefix__":  # the blank row the page copies for 添加一行
        return False
    prefix = row["prefix"]
    return not any(
        a.startswith(prefix + "-") and (a.endswith("_FORMS") or a == f"{prefix}-{row['index']}-id") for a in altered
    )


def _problems(response, body, typed, altered) -> list[str]:
    if response.status_code >= 500:
        return [f"{response.status_code}"]
    if response.status_code != 200:
        return []
    html = response.content.decode()
    if not any(mark in html for mark in ERROR_MARKS):
        return []
    problems = []
    errors = " ".join(
        re.findall(r'class="[^"]*(?:invalid-feedback|alert-danger|errorlist)[^"]*"[^>]*>(.*?)</', html, re.S)
    )
    if errors and not CJK.search(errors):
        problems.append(f"an error not in Chinese: {errors[:200]}")
    for name in typed:
        value = body[name][0]
        if "\x00" in value or not _rows_shown(name, altered):
            continue
        if escape(value) not in html:
            problems.append(f"{name}={value[:40]!r} not kept")
    return problems


class Undo(Exception):
    pass


def test_no_generated_post_answers_500_and_every_refusal_keeps_the_input():
    call_command("load_demo", stdout=StringIO())
    rep, manager = User.objects.get(username="rep"), User.objects.get(username="manager")
    clients: dict[int, Client] = {}

    def client_of(user) -> Client:
        if user.pk not in clients:
            clients[user.pk] = Client(raise_request_exception=False)
            clients[user.pk].force_login(user, backend="accounts.backends.TeamAwareModelBackend")
        return clients[user.pk]

    targets: dict[tuple[int, str], PostForm] = {}
    for user, page in _pages(rep=rep, manager=manager):
        client_of(user)
        user_forms = _forms_of(clients[user.pk], page)
        for form in user_forms:
            targets.setdefault((user.pk, form.action), form)
    assert len(targets) >= 60, sorted(a for _u, a in targets)

    failures: list[str] = []
    posted = 0

    def fuzzer(client, action, form):
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        @given(st.data())
        def fuzz(data):
            nonlocal posted
            body, typed, altered = _body(data.draw, form)
            try:
                with transaction.atomic():  # each post alone: what it wrote is undone after
                    response = client.post(action, body)
                    raise Undo
            except Undo:
                pass
            posted += 1
            for problem in _problems(response, body, typed, altered):
                failures.append(f"{action}: {problem} ← {dict(body)}"[:600])

        return fuzz

    few = []
    for (user_pk, action), form in sorted(targets.items()):
        before = posted
        fuzzer(clients[user_pk], action, form)()
        # hypothesis stops early only when a form has fewer distinct bodies than that (a checkbox, a button)
        if posted - before < EXAMPLES and len(form.fields) > 4:
            few.append(f"{action}: {posted - before}")
    assert not few
    assert not failures, f"{len(failures)} of {posted} posts:\n" + "\n".join(failures[:20])
