"""F18 in a browser: renaming and adding competitors changes the score columns at once; one save takes it all."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from forms_toolkit.models import CompetitorAnalysis
from tests.e2e.test_pages import _shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(browser, live_server, user):
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the first, django-axes, only refuses
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    browser.get(f"{live_server.url}/accounts/login/")
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session.session_key, "path": "/"})


def _headers(browser):
    return [
        th.text
        for th in browser.find_elements(By.CSS_SELECTOR, '[data-formset="indicators"] thead th')
        if th.is_displayed()
    ]


def _type(browser, name, text):
    box = browser.find_element(By.NAME, name)
    box.clear()
    box.send_keys(text)


@pytest.mark.parametrize("width", [1280, 375])
def test_competitor_columns_follow_the_competitors_table_and_save_in_one_pass(
    browser, live_server, rep, project, width
):
    browser.set_window_size(width, 900)
    _log_in(browser, live_server, rep)
    browser.get(f"{live_server.url}/forms/F18/new/?project={project.pk}")
    if width == 1280:
        assert "A竞争对手" in _headers(browser) and "B竞争对手" in _headers(browser)
    _type(browser, "competitors-0-name", "甲公司")
    add = browser.find_element(By.CSS_SELECTOR, '[data-formset-add="competitors"]')
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", add)
    added = int(browser.find_element(By.NAME, "competitors-TOTAL_FORMS").get_attribute("value")) - 1
    assert added == 3  # A, B and the empty row were there; the button added the fourth
    _type(browser, f"competitors-{added}-name", "丙公司")
    if width == 1280:
        WebDriverWait(browser, 5).until(lambda b: "丙公司" in _headers(b))
        headers = _headers(browser)
        assert "甲公司" in headers and "A竞争对手" not in headers and "B竞争对手" in headers
    for row, (weight, ours, scores) in enumerate([("40", "4", "532"), ("30", "4", "431"), ("30", "3", "255")]):
        _type(browser, f"indicators-{row}-weight", weight)
        _type(browser, f"indicators-{row}-our_score", ours)
        for column, score in zip((0, 1, added), scores, strict=True):
            _type(browser, f"indicators-{row}-cscore_{column}", score)
    _shoot(browser, f"f18-three-competitors-{width}")
    save = browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", save)
    WebDriverWait(browser, 10).until(lambda b: "/new/" not in b.current_url)
    form = CompetitorAnalysis.objects.get()
    assert [c.name for c in form.competitors.all()] == ["甲公司", "B竞争对手", "丙公司"]
    third = form.competitors.get(name="丙公司")
    assert [i.competitor_scores[str(third.pk)] for i in form.indicators.order_by("pk")] == [2, 1, 5]
