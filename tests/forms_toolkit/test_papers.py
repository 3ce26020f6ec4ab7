"""All 26 paper forms print, in the paper's words: the five records (F02, F03, F16, F08, F09) like the rest,
tick lists as the paper ticks them, the sign-off kept with what it signs, 信息登记 once."""

import shutil
import subprocess

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from demo.forms import demo_stage_form
from forms_toolkit import papers
from forms_toolkit.pdf import render_form_pdf
from forms_toolkit.registry import registry
from forms_toolkit.selectors import form_display
from pipeline.models import BuyingCenterMember, ProcurementStep

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def _text(content: bytes, page: int | None = None) -> str:
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + ["-", "-"]
    return subprocess.run(args, input=content, capture_output=True, check=True).stdout.decode().replace(" ", "")


def _pages(content: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages")))


@pytest.fixture
def maps(project, contact):
    ProcurementStep.objects.create(project=project, step=1, process="需求提出", responsible=contact)
    BuyingCenterMember.objects.create(
        project=project, contact=contact, level="decision", department="purchasing", role="decision_maker",
        attitude="supporter", closeness="close",
    )  # fmt: skip
    return project


@needs_poppler
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("F02", ["客户基本信息表", "企业名称", "企业标识/编号", "客户类别", "重要", "VIP", "企业资信", "信息登记日期"]),
        ("F03", ["联系人基本信息表", "客情状态", "初步接触", "非常好", "影响力", "决策者", "顾长庚"]),
        ("F16", ["关键决策人基本信息表", "婚姻状况", "配偶姓名", "子女溺爱程度", "顾长庚"]),
        ("F08", ["客户内部采购流程", "步骤", "采购过程", "采购负责人", "考虑因素", "需求提出"]),
        ("F09", ["客户内部组织结构图", "与采购有关人的角色与态度", "决策层", "决策者", "支持者", "密切", "顾长庚"]),
    ],
)
def test_the_records_print_as_their_papers(client, rep, customer, contact, maps, code, expected):
    from contacts import services
    from contacts.models import DecisionMakerProfile

    services.decision_maker_profile_save(
        profile=DecisionMakerProfile(contact=contact, marital_status="已婚", spouse_name="(保密)"),
        by=rep,
        changed_fields=[],
    )
    pk = {"F02": customer.pk, "F03": contact.pk, "F16": contact.pk, "F08": maps.pk, "F09": maps.pk}[code]
    client.force_login(rep)
    response = client.get(reverse("forms_toolkit:pdf", args=[code, pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = _text(response.content)
    for word in [*expected, "华工装备集团有限公司", "第1页"]:
        assert word in text, word


def test_another_teams_record_does_not_print(client, other_rep, customer, contact, project):
    client.force_login(other_rep)
    for code, pk in (("F02", customer.pk), ("F03", contact.pk), ("F08", project.pk), ("F09", project.pk)):
        assert client.get(reverse("forms_toolkit:pdf", args=[code, pk])).status_code == 404


def test_a_decision_makers_profile_prints_only_for_those_who_may_read_it(client, rep, teammate, contact):
    from contacts import services
    from contacts.models import DecisionMakerProfile

    services.decision_maker_profile_save(profile=DecisionMakerProfile(contact=contact), by=rep, changed_fields=[])
    url = reverse("forms_toolkit:pdf", args=["F16", contact.pk])
    client.force_login(teammate)
    assert client.get(url).status_code == 404
    client.force_login(rep)
    assert client.get(url).status_code == 200


def test_the_record_pages_link_to_their_papers(client, rep, customer, contact, project):
    client.force_login(rep)
    assert f"/forms/F02/{customer.pk}/pdf/" in client.get(customer.get_absolute_url()).content.decode()
    assert f"/forms/F03/{contact.pk}/pdf/" in client.get(contact.get_absolute_url()).content.decode()
    people = client.get(reverse("pipeline:project-section", args=[project.pk, "people"])).content.decode()
    assert f"/forms/F08/{project.pk}/pdf/" in people and f"/forms/F09/{project.pk}/pdf/" in people


def _printed_html(form, user):
    form_type = form.form_type
    shown = form_display(form_type=form_type, form=form, user=user, printed=True)
    return render_to_string(
        "pdf/paper.html", {**shown, "title": form_type.title, "tables": [(t, []) for t in shown["tables"]]}
    )


def test_enumerations_print_as_the_papers_tick_lists(rep, project, customer):
    request = demo_stage_form("F06", project=project, by=rep, status="draft")
    html = _printed_html(request, rep)
    for option in ("A类客户", "B类客户", "C类客户", "D类客户", "出差", "提供专业服务", "其他"):
        assert option in html
    assert html.count('class="box on"') == 2  # A类客户 and 出差, the demo's choices
    abnormal = demo_stage_form("F26", customer=customer, by=rep, status="draft")
    html = _printed_html(abnormal, rep)
    for option in ("过高/过低消费", "行为变化异常", "信用度很低", "客户流失"):
        assert option in html
    visit = demo_stage_form("F05", project=project, by=rep, status="draft")
    html = _printed_html(visit, rep)
    assert "客户规划与电话邀约" in html and "成交" in html  # the eight visit labels


def test_customer_forms_print_the_papers_words_and_the_audit_block_once(rep, customer):
    for code in ("F07", "F26"):
        form = demo_stage_form(code, customer=customer, by=rep, status="draft")
        html = _printed_html(form, rep)
        assert "企业名称" in html and "企业标识/编号" in html and "客户名称" not in html
        assert html.count("信息采集人") == 1 and html.count("<h2>信息登记</h2>") == 1


def test_f25_prints_the_papers_one_label_for_the_implementation_dates(rep, manager, project):
    handover = demo_stage_form("F25", project=project, by=rep, status="draft")
    html = _printed_html(handover, rep)
    assert "实施开始日期及结束日期" in html and " 至 " in html


def test_f25_edits_both_dates_under_the_papers_one_label(client, rep, project):
    client.force_login(rep)
    page = client.get(reverse("forms_toolkit:create", args=["F25"]) + f"?project={project.pk}").content.decode()
    assert "实施开始日期及结束日期" in page
    assert 'name="implementation_start"' in page and 'name="implementation_end"' in page


def test_f21_prints_our_team_and_the_customers_team_as_two_tables(rep, project):
    plan = demo_stage_form("F21", project=project, by=rep, status="draft")
    tables = form_display(form_type=plan.form_type, form=plan, user=rep, printed=True)["tables"]
    assert [t.label for t in tables] == ["合作谈判小组成员", "客户谈判成员"]
    assert all("所属方" not in t.headers for t in tables) and all(len(t.rows) == 1 for t in tables)


@needs_poppler
@pytest.mark.parametrize("code", ["F01", "F05", "F21", "F24", "F25"])
def test_the_sign_off_never_falls_alone_on_a_page(rep, manager, director, project, code):
    form = demo_stage_form(code, project=project, by=rep, status="approved", approver=manager, director=director)
    for lines in (0, 6, 12, 18, 24, 30):  # grow the form until its sign-off reaches the foot of page 1
        if code in ("F05", "F25", "F24", "F21"):
            field = {"F05": "main_content", "F25": "remarks", "F24": "execution", "F21": "other"}[code]
            setattr(form, field, "\n".join(f"第 {n} 行说明" for n in range(lines)))
            form.save()
        else:
            for n in range(lines // 6):
                form.rows.create(seq=10 + n, customer_name="基准重工", conversation="客户询问交付周期与付款方式。")
        content = render_form_pdf(form_type=form.form_type, form=form, user=rep)
        pages = _pages(content)
        last = [
            line
            for line in _text(content, page=pages).splitlines()
            if line.strip() and "华工装备集团有限公司" not in line and form.number not in line
        ]
        # The sign-off (领导建议 and the signature lines) may be on any page, but never the first thing on it.
        assert last[0] != "领导建议", (lines, pages, last[:3])
        assert any(str(step.label) in "".join(last) for step in form.form_type.approval_steps)


def test_the_26_forms_are_the_catalogs(db):
    codes = {t.code for t in registry.all()} | set(papers.RECORD_PAPERS)
    assert codes == {f"F{n:02d}" for n in range(1, 27)}
