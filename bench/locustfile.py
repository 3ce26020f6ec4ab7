"""Load test: 80% reps filling forms and moving projects, 20% managers on dashboards and approvals.

Runs against a server on the benchmark database (see README.md, "Benchmark"), e.g.

    locust -f bench/locustfile.py --headless -u 200 -r 5 -t 10m --host http://127.0.0.1:8001

Users are the ones ``bench_data`` made: ``bench-rep-NNNN`` and ``bench-mgr-NNNN`` with the password
bench1234; BENCH_TEAMS and BENCH_USERS (defaults 40 and 500, the reference scale) say how many.
"""

from __future__ import annotations

import datetime
import os
import random
import re
from html.parser import HTMLParser

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

TEAMS = int(os.environ.get("BENCH_TEAMS", "40"))
USERS = int(os.environ.get("BENCH_USERS", "500"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench1234")
PROJECT_LINK = re.compile(r'href="/projects/(\d+)/"')
SUBMIT = re.compile(r'action="(/forms/F05/\d+/submit/)"')
DECIDE = re.compile(r'action="(/forms/F\d\d/\d+/decide/)"')


class Forms(HTMLParser):
    """Every POST form of a page: its action and named fields with the values the page put in them."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict[str, str]]] = []
        self.fields: dict[str, str] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "").lower() == "post":
            self.fields = {}
            self.forms.append((a.get("action") or "", self.fields))
        elif self.fields is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "checkbox"):
            self.fields.setdefault(a["name"], a.get("value") or "")
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self.fields.setdefault(a["name"], "")
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            self._first_option = True
            self.fields.setdefault(a["name"], "")
        elif tag == "option" and self._select:
            # As a browser: the selected option, else the first one (often the blank "---------").
            if "selected" in a or self._first_option:
                self.fields[self._select] = a.get("value") or ""
            self._first_option = False

    def handle_endtag(self, tag):
        if tag == "form":
            self.fields = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.fields is not None:
            self.fields[self._textarea] += data


def form_fields(html: str, having: str) -> dict[str, str]:
    """The fields of the first POST form on the page that has a field named ``having``."""
    parser = Forms()
    parser.feed(html)
    return next((dict(fields) for _, fields in parser.forms if having in fields), {})


class Staff(FastHttpUser):
    # FastHttpUser: the load generator shares the server's two cores, and requests-based users
    # spent about a seventh of one of them.
    abstract = True
    wait_time = between(5, 15)
    username = ""

    def on_start(self):
        page = self.client.get("/accounts/login/", name="login page")
        fields = form_fields(page.text, "username")
        fields.update({"username": self.username, "password": PASSWORD})
        self.client.post("/accounts/login/", data=fields, name="log in", headers={"Referer": page.url})

    def csrf(self, html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        return match.group(1) if match else ""


class Rep(Staff):
    weight = 8

    def on_start(self):
        self.username = f"bench-rep-{random.randrange(TEAMS, USERS):04d}"
        super().on_start()
        me = self.client.get("/control/", name="rep scorecard")  # answers with the rep's own scorecard
        mine = re.search(r"/control/reps/(\d+)/", me.url)
        owner = f"&owner={mine.group(1)}" if mine else ""
        page = self.client.get(f"/projects/?status=open{owner}", name="project list")
        self.projects = [int(p) for p in PROJECT_LINK.findall(page.text)] or [0]

    @task(3)
    def my_day(self):
        self.client.get("/projects/my-day/", name="my day")

    @task(3)
    def open_a_project(self):
        project = random.choice(self.projects)
        self.client.get(f"/projects/{project}/", name="project detail")
        # What the browser then asks for: every section, as if the rep scrolled the whole page.
        for section in ("control", "people", "paperwork", "history"):
            self.client.get(
                f"/projects/{project}/sections/{section}/",
                headers={"HX-Request": "true"},
                name=f"project section: {section}",
            )

    @task(2)
    def browse(self):
        self.client.get(f"/projects/?page={random.randint(1, 3)}", name="project list")
        self.client.get("/customers/", name="customer list")

    @task(2)
    def board(self):
        self.client.get("/projects/board/", name="funnel board")

    @task(3)
    def fill_a_visit_report(self):
        project = random.choice(self.projects)
        page = self.client.get(f"/forms/F05/new/?project={project}", name="form create (F05)")
        fields = form_fields(page.text, "filled_on")
        fields.update(
            {
                "filled_on": datetime.date.today().isoformat(),
                "visitee": "设备部王部长",
                "place": "客户现场",
                "main_content": "技术交流:改造方案与工期。",
            }
        )
        with self.client.post(
            page.url, data=fields, name="form save (F05)", headers={"Referer": page.url}, catch_response=True
        ) as response:
            # Saved, it redirects to the new report's page; refused, the form comes back at /new/.
            if response.status_code >= 400 or "/new/" in response.url:
                response.failure(f"form not saved ({response.status_code})")
                return
            saved = response
        # Most reports are handed in for the manager's approval at once (the managers' queue fills up).
        submit = SUBMIT.search(saved.text)
        if submit and random.random() < 0.7:
            self.client.post(
                submit.group(1),
                data={"csrfmiddlewaretoken": self.csrf(saved.text)},
                name="submit a form",
                headers={"Referer": saved.url},
            )

    @task(2)
    def record_the_customer_stage(self):
        project = random.choice(self.projects)
        url = f"/projects/{project}/customer-stage/"
        page = self.client.get(url, name="customer stage page")
        fields = form_fields(page.text, "observed_on")
        fields["note"] = "拜访时了解到客户内部进展。"
        with self.client.post(
            url, data=fields, name="customer stage save", headers={"Referer": page.url}, catch_response=True
        ) as response:
            if response.status_code >= 400 or response.url.endswith("/customer-stage/"):
                response.failure(f"customer stage not saved ({response.status_code})")

    @task(1)
    def try_to_advance(self):
        project = random.choice(self.projects)
        url = f"/projects/{project}/advance/"
        page = self.client.get(url, name="advance page")
        fields = form_fields(page.text, "to_stage")
        if fields.get("to_stage"):
            # Moved when the stage's conditions are met, else the page lists what is missing: both are answers.
            self.client.post(url, data=fields, name="advance the project", headers={"Referer": page.url})


class Manager(Staff):
    weight = 2

    def on_start(self):
        self.username = f"bench-mgr-{random.randrange(0, TEAMS):04d}"
        super().on_start()

    @task(3)
    def dashboard(self):
        self.client.get("/control/", name="manager dashboard")

    @task(2)
    def forecast(self):
        self.client.get("/control/forecast/", name="forecast")

    @task(2)
    def anomalies(self):
        self.client.get("/control/anomalies/", name="anomalies")

    @task(1)
    def board(self):
        self.client.get("/projects/board/", name="funnel board")

    @task(3)
    def approve_from_the_queue(self):
        page = self.client.get("/forms/queue/", name="approval queue")
        actions = DECIDE.findall(page.text)
        if actions:
            self.client.post(
                random.choice(actions),
                data={"csrfmiddlewaretoken": self.csrf(page.text), "decision": "approve", "next": "/forms/queue/"},
                name="approve a form",
                headers={"Referer": page.url},
            )
