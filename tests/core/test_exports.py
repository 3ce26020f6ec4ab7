"""Every list as .xlsx and .csv: the list's filters and sort, only what the user may see, the paper's
labels as headers, money and dates as real cells, no cell a spreadsheet would run as a formula."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import DataExport
from tests.factories import CustomerFactory


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [[c for c in row] for row in sheet.iter_rows()]


def _csv(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # so Excel reads UTF-8 Chinese right
    return list(csv.reader(io.StringIO(body[1:])))


@pytest.fixture
def customers(rep, other_rep):
    CustomerFactory(
        owner=rep,
        name="江南重型机械股份有限公司",
        code="JN-0001",
        annual_output=Decimal("123456789.50"),
        registered_on=datetime.date(2026, 11, 1),
    )
    CustomerFactory(owner=rep, name='=HYPERLINK("http://evil.example","点我")', code="EV-0001")
    CustomerFactory(
        owner=rep, name="苏州精工有限公司", code="SZ-0001", category="general", registered_on=datetime.date(2026, 11, 2)
    )
    CustomerFactory(owner=other_rep, name="华北别队客户有限公司", code="HB-0001")


def test_the_customer_list_exports_as_a_workbook_with_labels_types_and_safe_cells(client, rep, customers):
    client.force_login(rep)
    rows = _xlsx(client.get(reverse("customers:list"), {"format": "xlsx", "ordering": "code"}))
    header = [c.value for c in rows[0]]
    assert header[:4] == ["企业标识/编号", "企业名称", "企业简称", "客户类别"] and "年产值" in header
    codes = [r[0].value for r in rows[1:]]
    assert codes == ["EV-0001", "JN-0001", "SZ-0001"]  # the list's sort; never another team's
    jn = rows[2]
    output = jn[header.index("年产值")]
    assert output.value == pytest.approx(123456789.5) and output.data_type == "n" and "0.00" in output.number_format
    registered = jn[header.index("信息登记日期")]
    assert isinstance(registered.value, datetime.datetime) and registered.is_date
    assert jn[header.index("客户类别")].value == "重要"  # the paper's label, not the stored key
    evil = rows[1][1]
    assert evil.data_type == "s" and evil.value.startswith("'=HYPERLINK")
    assert DataExport.objects.get().rows == 3 and DataExport.objects.get().format == "xlsx"


def test_the_csv_follows_the_filters_and_is_formula_safe(client, rep, customers):
    client.force_login(rep)
    rows = _csv(client.get(reverse("customers:list"), {"format": "csv", "q": "HYPERLINK"}))
    assert rows[0][0] == "企业标识/编号" and len(rows) == 2
    assert rows[1][1].startswith("'=HYPERLINK")
    rows = _csv(client.get(reverse("customers:list"), {"format": "csv", "category": "general"}))
    assert [r[0] for r in rows[1:]] == ["SZ-0001"]


def test_the_export_links_carry_the_current_filters(client, rep, customers):
    client.force_login(rep)
    page = client.get(reverse("customers:list"), {"q": "江南", "page": "1"}).content.decode()
    assert "?q=%E6%B1%9F%E5%8D%97&amp;format=xlsx" in page and "page=1&amp;format" not in page


@pytest.mark.parametrize(
    ("url", "first_header"),
    [
        ("contacts:list", "企业标识/编号"),
        ("pipeline:project-list", "项目编号"),
        ("forms_toolkit:list", "编号"),
        ("forecasting:anomaly-list", "异常类型"),
    ],
)
def test_every_list_exports_what_the_user_sees(client, rep, other_rep, project, contact, url, first_header):
    from demo.forms import demo_stage_form

    demo_stage_form("F05", project=project, by=rep, status="draft")
    for fmt in ("xlsx", "csv"):
        client.force_login(rep)
        response = client.get(reverse(url), {"format": fmt, "status": ""} if "anomaly" in url else {"format": fmt})
        rows = _xlsx(response) if fmt == "xlsx" else _csv(response)
        header = [c.value for c in rows[0]] if fmt == "xlsx" else rows[0]
        assert header[0] == first_header
        if "anomaly" not in url:
            assert len(rows) == 2  # the one row rep may see
        client.force_login(other_rep)
        other = client.get(reverse(url), {"format": fmt})
        rows = _xlsx(other) if fmt == "xlsx" else _csv(other)
        assert len(rows) == 1  # the header alone: another team's rows are never in it


def test_projects_export_money_and_dates_as_cells(client, rep, project):
    client.force_login(rep)
    rows = _xlsx(client.get(reverse("pipeline:project-list"), {"format": "xlsx"}))
    header = [c.value for c in rows[0]]
    amount = rows[1][header.index("项目金额")]
    assert amount.value == pytest.approx(1000000) and amount.data_type == "n"
    assert rows[1][header.index("预计签约日期")].is_date
    assert rows[1][header.index("我方阶段")].value.startswith("第") or rows[1][header.index("我方阶段")].value
