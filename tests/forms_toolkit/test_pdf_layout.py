"""Printed tables: column widths planned from their text, and the paper turned sideways for a wide one."""

import shutil
import subprocess

import pytest

from forms_toolkit.pdf import LANDSCAPE_WIDTH_EM, PORTRAIT_WIDTH_EM, _url_fetcher, column_widths, render_form_pdf
from forms_toolkit.registry import registry
from forms_toolkit.selectors import Table

CALL_HEADERS = [
    "序号", "时间", "客户名称", "编号", "找到谁", "联系方式", "电话沟通内容",
    "信息跟踪内容", "计划下次联络时间", "对客户的承诺", "需完成工作", "完成时间",
]  # fmt: skip
CONVERSATION = "介绍公司业绩,了解改造需求,约定下次拜访时间。" * 2


def _call(seq: int) -> list[str]:
    return [str(seq), "", "基准重工", "", "设备部", "13909000063", CONVERSATION, "", "2026年11月29日", "", "", ""]


def test_a_table_that_fits_gets_each_column_its_longest_line():
    table = Table(label="", headers=["序号", "内容"], rows=[["1", "短"], ["2", "一二三四五六七八"]])
    widths = column_widths(table)
    assert sum(widths) == pytest.approx(100, abs=0.2)
    # 序号: its heading (2 em) and padding; 内容: eight characters and padding
    assert widths[1] / widths[0] == pytest.approx((8 + 1.5) / (2 + 1.5), rel=0.01)


def test_a_crowded_table_gives_the_long_text_the_room_and_keeps_numbers_and_headings_whole():
    table = Table(label="", headers=CALL_HEADERS, rows=[_call(n) for n in range(1, 65)])
    widths = column_widths(table, room=LANDSCAPE_WIDTH_EM)
    assert sum(widths) == pytest.approx(100, abs=0.2)
    ems = [w / 100 * LANDSCAPE_WIDTH_EM for w in widths]
    conversation = CALL_HEADERS.index("电话沟通内容")
    assert max(range(len(ems)), key=ems.__getitem__) == conversation
    # the phone number (eleven digits, about 6 em) is never broken
    assert ems[CALL_HEADERS.index("联系方式")] >= 11 * 0.55 + 1.5 - 0.01
    # every heading fits on two lines: 计划下次联络时间 is eight characters
    for header, em in zip(CALL_HEADERS, ems, strict=True):
        assert em >= len(header) / 2 + 1.5 - 0.01, header


def test_a_table_too_wide_for_any_page_falls_back_to_each_column_its_least():
    table = Table(label="", headers=[f"第{n:02d}列标题很长" for n in range(30)], rows=[["内容"] * 30])
    widths = column_widths(table, room=PORTRAIT_WIDTH_EM)
    assert sum(widths) == pytest.approx(100, abs=0.2)
    assert len(set(widths)) == 1


def test_a_table_without_columns_has_no_widths():
    assert column_widths(Table(label="", headers=[], rows=[])) == []


needs_poppler = pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils is not installed")


def _page_info(tmp_path, content: bytes) -> dict[str, str]:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in info.splitlines())}


@needs_poppler
@pytest.mark.django_db
def test_a_long_call_log_prints_sideways_and_a_visit_report_upright(
    tmp_path, rep, manager, director, customer, project
):
    from demo.forms import demo_stage_form

    calls = demo_stage_form(
        "F01", project=None, customer=customer, by=rep, status="draft", approver=manager, director=director
    )
    calls.rows.all().delete()
    calls.rows.model.objects.bulk_create(
        calls.rows.model(form=calls, seq=seq, customer_name="基准重工", found_whom="设备部",
                         contact_method="13909000063", conversation=CONVERSATION)
        for seq in range(1, 41)
    )  # fmt: skip
    info = _page_info(tmp_path, render_form_pdf(form_type=registry.get("F01"), form=calls, user=rep))
    width, height = (float(n) for n in info["Page size"].split()[0:3:2])
    assert width > height  # A4 landscape: 841.89 x 595.28 pt
    assert 3 <= int(info["Pages"]) <= 6  # forty calls, about ten to a page

    visit = demo_stage_form(
        "F05", project=project, customer=customer, by=rep, status="draft", approver=manager, director=director
    )
    info = _page_info(tmp_path, render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep))
    width, height = (float(n) for n in info["Page size"].split()[0:3:2])
    assert width < height


@pytest.mark.django_db
def test_the_cycle_collector_is_running_again_after_a_pdf_even_a_failed_one(rep, manager, director, customer, project):
    import gc
    from unittest import mock

    from demo.forms import demo_stage_form

    visit = demo_stage_form(
        "F05", project=project, customer=customer, by=rep, status="draft", approver=manager, director=director
    )
    render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep)
    assert gc.isenabled()
    with mock.patch("weasyprint.HTML.write_pdf", side_effect=RuntimeError), pytest.raises(RuntimeError):
        render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep)
    assert gc.isenabled()


@pytest.mark.django_db
def test_pdfs_share_one_url_fetcher_that_never_reaches_the_network(rep, manager, director, customer, project):
    from unittest import mock

    from weasyprint.urls import URLFetcher

    from demo.forms import demo_stage_form

    visit = demo_stage_form(
        "F05", project=project, customer=customer, by=rep, status="draft", approver=manager, director=director
    )
    render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep)
    with mock.patch.object(URLFetcher, "__init__", side_effect=AssertionError("a fetcher built per PDF")):
        assert render_form_pdf(form_type=registry.get("F05"), form=visit, user=rep).startswith(b"%PDF")
    with pytest.raises(ValueError, match="disallowed protocol"):
        _url_fetcher()("https://example.com/logo.png")
    assert _url_fetcher()("data:text/plain,ok").read() == b"ok"


def test_a_server_process_loads_printing_at_start(monkeypatch, settings):
    """config/wsgi.py warms printing up on a thread of its own (the first PDF took 1.8 s), unless told not to."""
    import importlib

    settings.DEBUG = True  # the suite's in-memory cache is refused in production (tests/test_deploy.py)
    import sys
    from unittest import mock

    with mock.patch("forms_toolkit.pdf.warm_up") as warm_up:
        monkeypatch.setenv("PDF_WARM_UP", "1")
        sys.modules.pop("config.wsgi", None)
        module = importlib.import_module("config.wsgi")
        [thread] = [t for t in __import__("threading").enumerate() if t.name == "pdf-warm-up"] or [None]
        if thread is not None:
            thread.join(10)
        assert warm_up.called
        assert callable(module.application)


@pytest.mark.django_db
def test_the_warm_up_prints_a_blank_paper_without_failing(caplog):
    from forms_toolkit.pdf import warm_up

    warm_up()
    assert "warm-up failed" not in caplog.text
