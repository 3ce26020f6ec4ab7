"""What a hostile user tries first: formulas in exports, redirects off-site."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from forecasting.tables import Column, Table, export_response

pytestmark = pytest.mark.django_db

FORMULA = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exported_cells_never_become_formulas(fmt):
    table = Table(
        name="reps",
        title="销售代表",
        columns=[Column("销售代表"), Column("项目数", "int")],
        rows=[[FORMULA, 3], ["+86 138", -2], ["@SUM(A1)", 1], ["\tx", 0], ["王建国", 5]],
    )
    response = export_response(table, fmt)
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
        assert [r[0] for r in rows] == ["'" + FORMULA, "'+86 138", "'@SUM(A1)", "'\tx", "王建国"]
        assert rows[1][1] == "-2"  # numbers stay numbers
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [row[0] for row in sheet.iter_rows(min_row=2)]
        assert all(cell.data_type == "s" for cell in cells)
        assert cells[0].value == FORMULA and sheet.cell(3, 2).value == -2


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_next_never_leads_off_site(client_for, rep, manager, project, target):
    from demo.forms import demo_stage_form
    from pipeline.models import Task

    task = Task.objects.create(
        customer=project.customer, project=project, title="回访", owner=rep, due_date="2026-12-01", created_by=rep
    )
    response = client_for(rep).post(reverse("pipeline:task-toggle", args=[task.pk]), {"done": "1", "next": target})
    assert response.status_code == 302 and response.url == reverse("pipeline:my-day")

    form = demo_stage_form("F05", project=project, by=rep, status="submitted")
    response = client_for(manager).post(
        reverse("forms_toolkit:decide", args=["F05", form.pk]), {"decision": "approve", "next": target}
    )
    assert response.status_code == 302 and response.url == form.get_absolute_url()

    response = client_for(rep).post(
        reverse("pipeline:task-toggle", args=[task.pk]), {"done": "0", "next": "/forms/queue/"}
    )
    assert response.url == "/forms/queue/"  # a page of this site is still where it goes back to


def test_every_page_carries_the_content_security_policy_and_private_pages_are_not_kept(client_for, director):
    client = client_for(director)
    for url in (reverse("home"), reverse("forecasting:company"), reverse("pipeline:board")):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert {"private", "no-store"} <= {p.strip() for p in response.headers["Cache-Control"].split(",")}
    export = client.get(reverse("forecasting:company"), {"export": "funnel", "format": "xlsx"})
    assert "no-store" in export.headers["Cache-Control"] and "private" in export.headers["Cache-Control"]


def test_no_template_writes_an_inline_script_handler_or_style():
    """What the policy would refuse: <script> without src, on…= handlers, style= attributes."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=\"|\sstyle=\"|javascript:", re.IGNORECASE)
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in root.glob("*/templates/**/*.html")
        if "templates/pdf" not in str(path)  # printed by WeasyPrint, never served to a browser
        for match in inline.finditer(path.read_text())
    ] + [
        f"{path.relative_to(root)}: {match.group(0)}"
        for path in [*root.glob("*/templatetags/*.py"), *root.glob("templates/**/*.html")]
        if "templates/pdf" not in str(path)
        for match in inline.finditer(path.read_text())
    ]
    assert not found


@pytest.mark.parametrize("editing", [False, True])
def test_f18_with_tampered_row_counts_is_refused_in_chinese(client_for, rep, project, editing):
    from demo.forms import demo_stage_form

    client = client_for(rep)
    if editing:
        url = reverse(
            "forms_toolkit:update", args=["F18", demo_stage_form("F18", project=project, by=rep, status="draft").pk]
        )
    else:
        url = reverse("forms_toolkit:create", args=["F18"]) + f"?project={project.pk}"
    body = {
        "competitors-TOTAL_FORMS": "abc",
        "competitors-INITIAL_FORMS": "0",
        "competitors-0-name": "西门子",
        "indicators-TOTAL_FORMS": "-1",
        "indicators-INITIAL_FORMS": "x",
    }
    response = client.post(url, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert "此表格的行数据不完整或被改动" in page and "请至少提交" not in page
    assert page.count('name="competitors-TOTAL_FORMS" value="abc"') == 0  # the page can be sent again
