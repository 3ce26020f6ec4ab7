"""A manager brings a 2,000-line customer workbook in on a phone: the upload, the mapping preview,
the check, the import."""

import datetime

import pytest
from openpyxl import Workbook
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from customers.models import Customer
from tests.e2e.test_checkin import _log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _workbook(path, lines):
    book = Workbook()
    sheet = book.active
    sheet.append(["华东区客户名单"])
    sheet.merge_cells("A1:F1")
    sheet.append(["企业名称", "企业标识/编号", "客户类别", "企业性质", "年产值(万元)", "首次接触"])
    for i in range(lines):
        if i and i % 400 == 0:
            sheet.append([])
        category = "普通" if i % 500 == 7 else ("重要" if i % 2 else "一般")
        sheet.append(
            [f"走查{i:05d}号机械有限公司", f"WK-{i:05d}", category, "国有", 1000 + i, datetime.date(2025, 1, 1)]
        )
    book.save(path)


def _press(browser, css):
    button = browser.find_element(By.CSS_SELECTOR, css)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    button.click()


@pytest.mark.parametrize(("width", "lines"), [(375, 2000), (1280, 600)])
def test_a_manager_imports_a_workbook_on_a_phone_and_a_desktop(browser, live_server, manager, tmp_path, width, lines):
    path = tmp_path / "客户名单.xlsx"
    _workbook(path, lines)
    browser.set_window_size(width, 900)
    _log_in(browser, live_server, manager)
    browser.get(f"{live_server.url}/imports/?kind=customers")
    browser.find_element(By.NAME, "file").send_keys(str(path))
    _press(browser, "form[action$='/imports/new/'] button[type=submit]")
    WebDriverWait(browser, 60).until(lambda b: "import-mapping" in b.page_source or "invalid-feedback" in b.page_source)
    page = browser.page_source
    assert "表头在第 2 行" in page and "走查00000号机械有限公司" in page, page[page.find("<main") :][:3000]
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width + 1  # no sideways scroll
    _press(browser, "form[action$='/map/'] button[type=submit]")
    WebDriverWait(browser, 240).until(lambda b: "确认导入" in b.page_source)
    assert not Customer.objects.filter(code__startswith="WK-").exists()
    refused = browser.find_elements(By.CSS_SELECTOR, ".import-counts .fs-4")[3].text
    assert refused == str(len([i for i in range(lines) if i % 500 == 7]))
    _press(browser, "form[action$='/confirm/'] button")
    WebDriverWait(browser, 240).until(lambda b: "撤销这次导入" in b.page_source)
    assert Customer.objects.filter(code__startswith="WK-").count() == lines - int(refused)
