"""One project walked from a new customer to 签约成交 through the pages, as a rep and their manager would.

At desktop and phone width, in zh-hans. Every page the walk sees must answer without a 4xx or 5xx
(the page and every request it makes, htmx sections included), must not scroll sideways outside a
table, must not show English words, and must not break a button's label or a number table's cell
over lines.
"""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from pipeline.models import Project
from tests.e2e.test_pages import _shoot
from tests.e2e.walk_checks import ALLOWED_WORDS, PAGE_CHECKS, policy_violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}


class Walk:
    def __init__(self, browser, live_server, width):
        self.browser, self.base, self.width = browser, live_server.url, width
        self.seen = 0

    def log_in(self, username):
        b = self.browser
        b.delete_all_cookies()
        b.get(f"{self.base}/accounts/login/")
        b.find_element(By.NAME, "username").send_keys(username)
        b.find_element(By.NAME, "password").send_keys("demo1234")
        self.click(b.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))
        WebDriverWait(b, 10).until(lambda d: "/accounts/login/" not in d.current_url)
        self.check()

    def visit(self, path):
        self.browser.get(self.base + path)
        self.check()

    def check(self, name=None):
        """The page, scrolled through so its htmx sections load, then looked over."""
        b = self.browser
        WebDriverWait(b, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        pending = "section[hx-get] [data-loading]"

        def loaded(d) -> bool:
            waiting = d.find_elements(By.CSS_SELECTOR, pending)
            if waiting:  # a section loads once it is in view: bring the next one there
                d.execute_script("arguments[0].scrollIntoView()", waiting[0])
            return not waiting and not d.find_elements(By.CSS_SELECTOR, ".htmx-request")

        WebDriverWait(b, 20, poll_frequency=0.2, ignored_exceptions=[StaleElementReferenceException]).until(loaded)
        b.execute_script("window.scrollTo(0, 0)")
        problems = b.execute_script(PAGE_CHECKS, sorted(ALLOWED_WORDS), True) + policy_violations(b)
        assert not problems, f"{b.current_url} at {self.width}: {problems}"
        self.seen += 1
        if name:
            _shoot(b, f"walk-{self.width}-{name}")

    def click(self, element):
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", element)

    def type(self, name, text):
        box = self.browser.find_element(By.NAME, name)
        self.browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", box)
        box.clear()
        box.send_keys(text)

    def choose(self, name, label=None, value=None):
        select = Select(self.browser.find_element(By.NAME, name))
        if value is not None:
            select.select_by_value(str(value))
        else:
            select.select_by_visible_text(label)

    def save(self, name=None):
        """Press the page's main button and land on what it leads to, which must not be a refusal."""
        b = self.browser
        before = b.current_url
        self.click(b.find_element(By.CSS_SELECTOR, "main form[method=post] button[type=submit].btn-primary"))
        try:
            WebDriverWait(b, 15).until(lambda d: d.current_url != before)
        except TimeoutException:
            _shoot(b, f"walk-{self.width}-refused")
            errors = [e.text for e in b.find_elements(By.CSS_SELECTOR, ".alert-danger, .invalid-feedback, .errorlist")]
            raise AssertionError(f"{before} refused: {errors}") from None
        self.check(name)

    def press(self, label):
        """A button by its words (提交审批, 同意, …), then the page it leads to."""
        b = self.browser
        before = b.current_url
        button = next(x for x in b.find_elements(By.CSS_SELECTOR, "main button") if x.text.strip() == label)
        self.click(button)
        WebDriverWait(b, 15).until(
            lambda d: d.current_url != before or d.execute_script("return document.readyState") == "complete"
        )
        self.check()


def _tick_every_condition(walk, project):
    while True:
        walk.visit(project.get_absolute_url())
        boxes = walk.browser.find_elements(By.CSS_SELECTOR, '#conditions button[aria-label="勾选完成"]')
        if not boxes:
            return
        walk.click(boxes[0])
        WebDriverWait(walk.browser, 10).until(lambda d: "#conditions" in d.current_url)


def _fill_form(walk, project, code, fields):
    walk.visit(f"/forms/{code}/new/?project={project.pk}")
    for name, value in fields.items():
        walk.type(name, value)
    walk.save(f"{code}-saved")
    walk.press("提交审批")
    assert "已提交" in walk.browser.find_element(By.TAG_NAME, "main").text


def _approve_as(walk, username, project, code):
    walk.log_in(username)
    walk.visit(f"/forms/queue/?type={code}")
    item = next(
        li for li in walk.browser.find_elements(By.CSS_SELECTOR, "main .list-group-item") if project.name in li.text
    )
    walk.click(next(b for b in item.find_elements(By.TAG_NAME, "button") if b.text == "同意"))
    WebDriverWait(walk.browser, 10).until(lambda d: "已同意" in d.find_element(By.TAG_NAME, "main").text)
    walk.check()
    walk.log_in("rep")


def _advance(walk, project, to):
    walk.visit(f"/projects/{project.pk}/advance/")
    walk.save()
    project.refresh_from_db()
    assert project.stage.number == to, walk.browser.find_element(By.TAG_NAME, "main").text[:400]


FORMS = {
    1: ("F01", {"rows-0-found_whom": "顾总", "rows-0-conversation": "介绍改造方案,客户有兴趣。"}),
    2: ("F05", {"visitee": "顾长庚", "main_content": "了解预算与立项计划。"}),
    3: ("F12", {"scope": "现有起重设备"}),
    4: ("F15", {"demonstration": "样板工程参观"}),
    5: ("F17", {"background": "设备老化,需要改造。"}),
    6: (
        "F18",
        {
            "indicators-0-weight": "100",
            "indicators-0-our_score": "4",
            "indicators-0-cscore_0": "3",
            "indicators-0-cscore_1": "2",
        },
    ),
    7: ("F21", {"goals": "守住价格底限"}),
    8: ("F24", {"contract_name": "桥机改造合同", "reviewers-0-name": "法务部"}),
}
APPROVED_BY = {6: ["manager"], 7: ["manager"], 8: ["manager", "director"]}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_project_from_a_new_customer_to_signing(browser, live_server, width):
    call_command("load_demo", verbosity=0)
    browser.set_window_size(*WIDTHS[width])
    walk = Walk(browser, live_server, width)
    walk.log_in("rep")
    walk.check("home")

    walk.visit("/customers/new/")
    walk.type("name", "东海港口机械有限公司")
    walk.type("code", f"DH-{WIDTHS[width][0]}-0001")
    walk.save("customer")
    walk.click(browser.find_element(By.PARTIAL_LINK_TEXT, "添加联系人"))
    walk.check()
    walk.type("name", "顾长庚")
    walk.type("title", "总经理")
    walk.choose("influence", "决策者")
    walk.save()
    walk.visit("/customers/?q=东海港口")
    walk.click(browser.find_element(By.PARTIAL_LINK_TEXT, "东海港口机械有限公司"))
    walk.check()
    walk.click(browser.find_element(By.LINK_TEXT, "新建项目"))
    walk.check()
    walk.type("name", "散货码头门机改造")
    walk.type("amount", "3600000")
    close = timezone.localdate() + datetime.timedelta(days=120)
    browser.execute_script(
        "arguments[0].value = arguments[1]", browser.find_element(By.NAME, "expected_close_date"), close.isoformat()
    )
    walk.save("project")
    project = Project.objects.get(name="散货码头门机改造")
    contact = project.customer.contacts.get()

    for number in range(1, 9):
        project.refresh_from_db()
        if number == 2:
            walk.visit(f"/projects/{project.pk}/buying-center/")
            walk.choose("buying_center-0-contact", value=contact.pk)
            for field, label in (
                ("level", "决策层"),
                ("department", "采购"),
                ("role", "决策者"),
                ("attitude", "支持者"),
                ("closeness", "密切"),
            ):
                walk.choose(f"buying_center-0-{field}", label)
            walk.save()
        if number == 3:
            walk.visit(f"/projects/{project.pk}/procurement-map/")
            walk.type("procurement_steps-0-process", "需求提出与立项")
            walk.save()
        code, fields = FORMS[number]
        _fill_form(walk, project, code, fields)
        if number == 8:
            _fill_form(walk, project, "F25", {"contract_name": "桥机改造合同"})
        for approver in APPROVED_BY.get(number, []):
            _approve_as(walk, approver, project, code)
        _tick_every_condition(walk, project)
        if number < 8:
            _advance(walk, project, number + 1)

    walk.visit(f"/projects/{project.pk}/close/")
    walk.click(browser.find_element(By.CSS_SELECTOR, 'input[name="outcome"][value="won"]'))
    walk.type("success_story", "早期介入,样板工程打动客户。")
    walk.save("won")
    project.refresh_from_db()
    assert project.status == "won" and project.stage.number == 8

    # What the manager reviews afterwards reads as it should, on a phone too.
    walk.log_in("manager")
    for path in (
        "/control/",
        f"/control/teams/{project.team_id}/",
        f"/control/reps/{project.owner_id}/",
        "/projects/my-day/",
        "/forms/queue/",
        project.get_absolute_url(),
    ):
        walk.visit(path)
    walk.check("manager-project")
    assert walk.seen > 60
