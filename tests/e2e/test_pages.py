"""Every page opened in headless Chromium at desktop and phone width, as each role.

Screenshots go to $SCREENSHOTS_DIR when it is set, for people to look at.
"""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from accounts.models import User
from contacts.models import Contact
from customers.models import Customer
from forecasting.models import Anomaly
from pipeline.models import Project
from tests.e2e.walk_checks import ALLOWED_WORDS, PAGE_CHECKS, policy_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}


def _demo_words() -> set[str]:
    """Latin words the demo organisation's own data holds (a foreign contact's name): data, not interface."""
    import re

    from demo import data

    found: set[str] = set()

    def walk(value):
        if isinstance(value, str):
            found.update(re.findall(r"[A-Z][a-z]{3,}", value))  # names; lowercase words are choice keys
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)

    for name in dir(data):
        if name.isupper():
            walk(getattr(data, name))
    return found


def _log_in(browser, live_server, username):
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys("demo1234")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)


def _shoot(browser, name):
    folder = os.environ.get("SCREENSHOTS_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        height = browser.execute_script("return document.body.scrollHeight")
        width = browser.get_window_size()["width"]
        browser.set_window_size(width, min(max(height + 120, 600), 4000))
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_it_renders_every_page_for_each_role(browser, live_server, width):
    call_command("load_demo", stdout=StringIO())
    customer = Customer.objects.get(code="JN-HM-0001")
    decision_maker = Contact.objects.get(name="顾长庚")
    project = Project.objects.get(name="临港基地 2 号车间桥式起重机改造")
    won = Project.objects.filter(status="won").first()
    from forms_toolkit.models import CompetitorAnalysis, ContractReview

    analysis = (
        CompetitorAnalysis.objects.filter(project__owner__username="rep").first() or CompetitorAnalysis.objects.first()
    )
    review = ContractReview.objects.first()
    pages = {
        "home": "/",
        "form-list": "/forms/",
        "queue": "/forms/queue/",
        "f18-new": f"/forms/F18/new/?project={project.pk}",
        "f05-new": f"/forms/F05/new/?project={project.pk}",
        "f18-detail": analysis.get_absolute_url(),
        "f24-detail": review.get_absolute_url(),
        "f04-new": f"/forms/F04/new/?customer={customer.pk}",
        "my-day": "/projects/my-day/",
        "board": "/projects/board/",
        "project-list": "/projects/",
        "project-detail": project.get_absolute_url(),
        "project-advance": f"/projects/{project.pk}/advance/",
        "project-close": f"/projects/{project.pk}/close/",
        "buying-center": f"/projects/{project.pk}/buying-center/",
        "procurement-map": f"/projects/{project.pk}/procurement-map/",
        "case-list": "/projects/cases/",
        "case-detail": f"/projects/cases/{won.pk}/",
        "customer-list": "/customers/",
        "customer-detail": customer.get_absolute_url(),
        "customer-edit": f"/customers/{customer.pk}/edit/",
        "customer-new": "/customers/new/",
        "contact-list": "/contacts/",
        "contact-detail": decision_maker.get_absolute_url(),
        "contact-edit": f"/contacts/{decision_maker.pk}/edit/",
        "profile-edit": f"/contacts/{decision_maker.pk}/decision-maker/",
        "control": "/control/",
        "control-team": f"/control/teams/{User.objects.get(username='manager').team_id}/",
        "control-company": "/control/company/",
        "control-scorecard": f"/control/reps/{User.objects.get(username='rep').pk}/",
        "control-forecast": "/control/forecast/",
        "control-targets": "/control/targets/",
        "control-anomalies": "/control/anomalies/",
        "control-anomaly": Anomaly.objects.filter(project=project).first().get_absolute_url(),
        "control-calibration": "/control/calibration/",
        "agenda-week": "/calendar/",
        "agenda-month": "/calendar/month/",
        "agenda-subscribe": "/calendar/subscribe/",
        "notifications": "/notifications/",
        "notification-settings": "/notifications/settings/",
    }
    demo_words = _demo_words()
    for username in ("rep", "manager", "director"):
        browser.set_window_size(*WIDTHS[width])
        _log_in(browser, live_server, username)
        assert User.objects.get(username=username).is_authenticated
        for name, path in pages.items():
            browser.set_window_size(*WIDTHS[width])
            browser.get(live_server.url + path)
            assert "/accounts/login/" not in browser.current_url
            body = browser.find_element(By.TAG_NAME, "body").text
            assert "Server Error" not in body and "服务器错误" not in body, f"{path} as {username}"
            assert browser.find_element(By.CSS_SELECTOR, "main"), path
            # every role opens every page here: a rep's 403 on the approval queue is right, so statuses are the walk's
            problems = browser.execute_script(PAGE_CHECKS, sorted(ALLOWED_WORDS | demo_words), False)
            problems += policy_violations(browser)
            assert not problems, f"{path} at {width} width as {username}: {problems}"
            _shoot(browser, f"{width}-{username}-{name}")


def test_it_filters_the_customer_list_in_place_with_htmx(browser, live_server):
    call_command("load_demo", stdout=StringIO())
    browser.set_window_size(1280, 900)
    _log_in(browser, live_server, "director")
    browser.get(f"{live_server.url}/customers/")
    box = browser.find_element(By.NAME, "q")
    box.send_keys("航空")
    WebDriverWait(browser, 10).until(
        lambda b: (
            "苏州精工" not in b.find_element(By.ID, "results").text
            and "蓝天航空" in b.find_element(By.ID, "results").text
        )
    )
    results = browser.find_element(By.ID, "results").text
    assert "蓝天航空" in results
    assert "q=" in browser.current_url


def test_the_project_page_loads_its_sections_as_they_come_into_view(browser, live_server):
    call_command("load_demo", stdout=StringIO())
    project = Project.objects.get(name="临港基地 2 号车间桥式起重机改造")
    browser.set_window_size(1280, 900)
    _log_in(browser, live_server, "rep")
    browser.get(live_server.url + project.get_absolute_url())
    WebDriverWait(browser, 30).until(lambda b: "赢率" in b.find_element(By.ID, "section-control").text)
    for section, heading in (
        ("people", "与采购有关人的角色与态度"),
        ("paperwork", "各阶段表单"),
        ("history", "阶段历史"),
    ):
        element = browser.find_element(By.ID, f"section-{section}")
        browser.execute_script("arguments[0].scrollIntoView()", element)
        WebDriverWait(browser, 30).until(lambda b, e=element, h=heading: h in e.text)
    browser.execute_script("window.scrollTo(0, 0)")
    _shoot(browser, "1280-rep-project-detail-loaded")
