"""拜访签到 in headless Chromium at phone width: with location granted the check-in records the
position the browser gave; with it denied, the refusal is recorded and the report saves all the same."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from forms_toolkit.models import FormRecord, VisitReport
from tests.e2e.test_pages import _shoot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _log_in(browser, live_server, user):
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys("pw")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)


def _check_in_and_save(browser, live_server, project, expect: str):
    browser.get(f"{live_server.url}/forms/F05/new/?project={project.pk}")
    browser.find_element(By.NAME, "visitee").send_keys("设备部李部长")
    button = browser.find_element(By.ID, "checkin-button")
    browser.execute_script("arguments[0].click()", button)
    WebDriverWait(browser, 20).until(lambda b: expect in b.find_element(By.ID, "checkin-status").text)
    assert browser.find_element(By.NAME, "checkin").get_attribute("value")
    _shoot(browser, f"375-rep-f05-checkin-{expect}")
    save = browser.find_element(By.CSS_SELECTOR, "main form button[type=submit].btn-primary")
    browser.execute_script("arguments[0].click()", save)
    WebDriverWait(browser, 20).until(lambda b: "/new/" not in b.current_url)
    return VisitReport.objects.select_related("checkin").get()


def test_checking_in_with_location_granted_records_where_and_when(browser, live_server, rep, project):
    browser.set_window_size(375, 812)
    _log_in(browser, live_server, rep)
    browser.execute_cdp_cmd("Browser.grantPermissions", {"origin": live_server.url, "permissions": ["geolocation"]})
    browser.execute_cdp_cmd(
        "Emulation.setGeolocationOverride", {"latitude": 31.230416, "longitude": 121.473701, "accuracy": 25}
    )
    report = _check_in_and_save(browser, live_server, project, "已签到")
    assert report.checkin.located and report.checkin.accuracy_m == 25
    assert (float(report.checkin.latitude), float(report.checkin.longitude)) == (31.230416, 121.473701)
    assert FormRecord.objects.get(form_code="F05").checked_in
    assert "31.230416°N 121.473701°E (±25 m)" in browser.find_element(By.TAG_NAME, "main").text
    _shoot(browser, "375-rep-f05-checked-in-detail")


def test_checking_in_with_location_denied_records_the_refusal_and_saves(browser, live_server, rep, project):
    browser.set_window_size(375, 812)
    _log_in(browser, live_server, rep)
    browser.execute_cdp_cmd(
        "Browser.setPermission",
        {"origin": live_server.url, "permission": {"name": "geolocation"}, "setting": "denied"},
    )
    report = _check_in_and_save(browser, live_server, project, "未允许定位")
    assert report.checkin.outcome == "denied" and report.checkin.latitude is None
    assert not FormRecord.objects.get(form_code="F05").checked_in
    assert "没有位置" in browser.find_element(By.TAG_NAME, "main").text
