"""Each form type: a valid save with rows, the paper's checks, visibility, sign-off, edit conflicts and its PDF."""

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import User
from forms_toolkit import services
from forms_toolkit.models import StageForm
from forms_toolkit.registry import registry
from tests.factories import UserFactory
from tests.forms_toolkit.conftest import ALL_TYPES, CUSTOMER_TYPES, PROJECT_TYPES


def _create_url(form_type, project, customer):
    target = f"project={project.pk}" if form_type.level == "project" else f"customer={customer.pk}"
    return reverse("forms_toolkit:create", args=[form_type.code]) + "?" + target


def _make(client, user, form_type, project, customer, post_data):
    client.force_login(user)
    response = client.post(_create_url(form_type, project, customer), post_data(form_type, customer=customer))
    assert response.status_code == 302, response.context and [
        response.context["form"].errors,
        [fs.errors for fs in response.context["formsets"]],
        [fs.non_form_errors() for fs in response.context["formsets"]],
    ]
    return form_type.model.objects.latest("pk")


@pytest.mark.parametrize("code", ALL_TYPES)
def test_a_valid_form_saves_with_its_rows_and_a_readable_number(client, rep, project, customer, post_data, code):
    form_type = registry.get(code)
    form = _make(client, rep, form_type, project, customer, post_data)
    assert form.number.startswith(f"{code}-") and form.status == StageForm.Status.DRAFT
    assert form.filled_by == rep and form.customer == customer and form.team == rep.team
    assert (form.project == project) is (form_type.level == "project")
    for inline in form_type.inlines:
        assert getattr(form, inline.prefix).count() == 1, inline.prefix
    page = client.get(form.get_absolute_url())
    assert page.status_code == 200 and form.number in page.content.decode()


@pytest.mark.parametrize("code", ALL_TYPES)
def test_bad_header_input_is_refused_beside_the_field_and_kept(client, rep, project, customer, post_data, code):
    form_type = registry.get(code)
    client.force_login(rep)
    data = post_data(form_type, customer=customer)
    data["filled_on"] = "2026-02-30"
    kept = next((v for k, v in data.items() if isinstance(v, str) and v.startswith("填写的")), None)
    response = client.post(_create_url(form_type, project, customer), data)
    assert response.status_code == 200
    assert "filled_on" in response.context["form"].errors
    assert "请更正下面标出的错误" in response.content.decode()
    if kept:
        assert kept in response.content.decode()
    assert not form_type.model.objects.exists()


@pytest.mark.parametrize("code", ["F04", "F10", "F18", "F19", "F20"])
def test_weights_must_total_100(client, rep, project, customer, post_data, code):
    form_type = registry.get(code)
    client.force_login(rep)
    data = post_data(form_type, customer=customer)
    inline = next(i for i in form_type.inlines if i.weighted)
    data[f"{inline.prefix}-0-{inline.weighted}"] = "60"
    response = client.post(_create_url(form_type, project, customer), data)
    formset = next(fs for fs in response.context["formsets"] if fs.prefix == inline.prefix)
    assert "权重合计必须为 100%,现在是 60%。" in formset.non_form_errors()
    assert not form_type.model.objects.exists()


def test_f18_scores_must_be_1_to_5_for_us_and_each_competitor(client, rep, project, customer, post_data):
    form_type = registry.get("F18")
    client.force_login(rep)
    data = post_data(form_type, customer=customer)
    data["indicators-0-our_score"] = "6"
    data["indicators-0-cscore_0"] = "0"
    response = client.post(_create_url(form_type, project, customer), data)
    row = next(fs for fs in response.context["formsets"] if fs.prefix == "indicators").forms[0]
    assert "our_score" in row.errors and "cscore_0" in row.errors


def test_f25_start_date_not_after_end_date(client, rep, project, customer, post_data):
    form_type = registry.get("F25")
    client.force_login(rep)
    data = post_data(form_type, customer=customer)
    data["implementation_start"], data["implementation_end"] = "2027-03-01", "2027-01-01"
    response = client.post(_create_url(form_type, project, customer), data)
    assert response.status_code == 200
    assert not form_type.model.objects.exists()
    assert response.context["form"].errors["implementation_end"] == ["实施结束日期不能早于开始日期。"]


def test_f04_weighted_total_and_grade(rep, customer):
    from demo.forms import demo_stage_form

    form = demo_stage_form("F04", customer=customer, by=rep, status="draft")
    form.indicators.all().delete()
    form.indicators.create(group="行业因素", indicator="行业成熟度", weight=Decimal("60"), score_1=90)
    form.indicators.create(group="客户关系", indicator="业务交往", weight=Decimal("40"), score_1=70)
    results = dict(registry.get("F04").results(form))
    assert results["综合评价(客户1)"] == "82.00" and results["级别(客户1)"] == "B"


def test_f04_grade_thresholds_come_from_settings(settings, rep, customer):
    from forms_toolkit.registry import f04_grade

    settings.FORMS_F04_GRADE_THRESHOLDS = [("A", 95), ("B", 90), ("C", 80)]
    assert [f04_grade(Decimal(v)) for v in ("96", "91", "85", "10")] == ["A", "B", "C", "D"]


def test_f18_weighted_scores_for_us_and_every_competitor_with_the_gap(rep, project):
    from demo.forms import demo_stage_form

    form = demo_stage_form("F18", project=project, by=rep, status="draft")
    results = dict(registry.get("F18").results(form))
    # weights 40/30/30; us 4,4,3; A 5,4,2; B 3,3,5
    assert results["我们公司加权得分"] == "3.70"
    assert results["A竞争对手 加权得分"] == "3.80(我方差距 -0.10)"
    assert results["B竞争对手 加权得分"] == "3.60(我方差距 +0.10)"


def test_f18_accepts_a_third_competitor(client, rep, project, customer, post_data):
    form_type = registry.get("F18")
    form = _make(client, rep, form_type, project, customer, post_data)
    url = reverse("forms_toolkit:update", args=["F18", form.pk])
    page = client.get(url)
    data = {k: v.value() if hasattr(v, "value") else v for k, v in {}.items()}
    data = post_data(form_type, customer=customer, version=form.version)
    competitor = form.competitors.get()
    indicator = form.indicators.get()
    data.update(
        {
            "competitors-TOTAL_FORMS": "3",
            "competitors-INITIAL_FORMS": "1",
            "competitors-0-id": competitor.pk,
            "competitors-0-name": "甲公司",
            "competitors-1-name": "乙公司",
            "competitors-2-name": "丙公司",
            "indicators-INITIAL_FORMS": "1",
            "indicators-0-id": indicator.pk,
            "indicators-0-cscore_0": "5",
            "indicators-0-cscore_1": "2",
            "indicators-0-cscore_2": "1",
        }
    )
    assert page.status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["formsets"][1].errors
    names = [c.name for c in form.competitors.all()]
    assert names == ["甲公司", "乙公司", "丙公司"]
    results = dict(registry.get("F18").results(form))
    assert results["丙公司 加权得分"].startswith("1.00")


def test_f20_total_is_shown(rep, project):
    from demo.forms import demo_stage_form

    form = demo_stage_form("F20", project=project, by=rep, status="draft")
    assert dict(registry.get("F20").results(form))["合计"] == "100.00%"


@pytest.mark.parametrize("code", PROJECT_TYPES)
def test_forms_follow_their_projects_visibility(client, rep, teammate, other_rep, project, code):
    from demo.forms import demo_stage_form

    form = demo_stage_form(code, project=project, by=rep, status="draft")
    client.force_login(other_rep)
    for name in ("forms_toolkit:detail", "forms_toolkit:update", "forms_toolkit:pdf"):
        assert client.get(reverse(name, args=[code, form.pk])).status_code == 404
    client.force_login(teammate)
    assert client.get(reverse("forms_toolkit:detail", args=[code, form.pk])).status_code == 200
    assert client.get(reverse("forms_toolkit:update", args=[code, form.pk])).status_code == 403
    assert client.get(_create_url(registry.get(code), project, project.customer)).status_code == 403


@pytest.mark.parametrize("code", CUSTOMER_TYPES)
def test_customer_forms_follow_the_customers_visibility(client, rep, other_rep, customer, code):
    from demo.forms import demo_stage_form

    form = demo_stage_form(code, customer=customer, by=rep, status="draft")
    client.force_login(other_rep)
    assert client.get(reverse("forms_toolkit:detail", args=[code, form.pk])).status_code == 404
    assert client.get(_create_url(registry.get(code), None, customer)).status_code == 404


@pytest.mark.parametrize("code", ALL_TYPES)
def test_the_approval_flow_submit_return_resubmit_approve(client, rep, manager, director, project, customer, code):
    from demo.forms import demo_stage_form

    form_type = registry.get(code)
    form = demo_stage_form(
        code, project=project if form_type.level == "project" else None, customer=customer, by=rep, status="submitted"
    )
    assert form.status == "submitted" and form.awaiting_step == form_type.approval_steps[0].code
    client.force_login(rep)
    assert client.get(reverse("forms_toolkit:update", args=[code, form.pk])).status_code == 302  # locked
    first_signer = manager if form_type.approval_steps[0].may_sign(form, manager) else director
    client.force_login(first_signer)
    client.post(reverse("forms_toolkit:decide", args=[code, form.pk]), {"decision": "return", "advice": ""})
    form.refresh_from_db()
    assert form.status == "submitted"  # returning needs advice
    client.post(reverse("forms_toolkit:decide", args=[code, form.pk]), {"decision": "return", "advice": "补充报价"})
    form.refresh_from_db()
    assert form.status == "returned" and "补充报价" in form.manager_advice
    client.force_login(rep)
    my_day = client.get(reverse("pipeline:my-day")).content.decode()
    assert "补充报价" in my_day and form.number in my_day and customer.name in my_day
    if form_type.level == "project":
        assert project.name in my_day
    services.stage_form_submit(form=form, by=rep)
    signed = set()
    for step in form_type.approval_steps:
        # four eyes: each step by someone who has not signed another one
        signer = next((u for u in (manager, director) if u.pk not in signed and step.may_sign(form, u)), None)
        signer = signer or UserFactory(username=f"d-{step.code}", role=User.Role.DIRECTOR, team=None)
        signed.add(signer.pk)
        client.force_login(signer)
        client.post(reverse("forms_toolkit:decide", args=[code, form.pk]), {"decision": "approve", "advice": "同意"})
        form.refresh_from_db()
    assert form.status == "approved" and form.awaiting_step == ""
    html = client.get(form.get_absolute_url()).content.decode()
    for step in form_type.approval_steps:
        assert str(step.label) in html


def test_a_rep_cannot_approve_and_other_teams_managers_cannot_see(client, rep, other_manager, project):
    from demo.forms import demo_stage_form

    form = demo_stage_form("F05", project=project, by=rep, status="submitted")
    client.force_login(rep)
    client.post(reverse("forms_toolkit:decide", args=["F05", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.status == "submitted"
    client.force_login(other_manager)
    assert (
        client.post(reverse("forms_toolkit:decide", args=["F05", form.pk]), {"decision": "approve"}).status_code == 404
    )


def test_f06_needs_department_head_then_general_manager_then_hr(client, rep, manager, director, project):
    from demo.forms import demo_stage_form

    form = demo_stage_form("F06", project=project, by=rep, status="submitted")
    client.force_login(manager)
    client.post(reverse("forms_toolkit:decide", args=["F06", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.awaiting_step == "general_manager"
    client.post(reverse("forms_toolkit:decide", args=["F06", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.awaiting_step == "general_manager"  # a team manager is not the general manager
    client.force_login(director)
    client.post(reverse("forms_toolkit:decide", args=["F06", form.pk]), {"decision": "approve"})
    response = client.post(reverse("forms_toolkit:decide", args=["F06", form.pk]), {"decision": "approve"}, follow=True)
    form.refresh_from_db()
    assert form.awaiting_step == "hr_head" and "另一人签字" in response.content.decode()  # four eyes: not twice
    client.force_login(UserFactory(username="hr", role=User.Role.DIRECTOR, team=None))
    client.post(reverse("forms_toolkit:decide", args=["F06", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.status == "approved"


def test_nobody_signs_a_form_they_filled_a_managers_own_form_goes_to_a_director(client, manager, director, project):
    from demo.forms import demo_stage_form
    from forms_toolkit.selectors import approval_queue

    form = demo_stage_form("F05", project=project, by=manager, status="submitted")
    assert form.pk not in [row["pk"] for row in approval_queue(user=manager)[0:50] if row["code"] == "F05"]
    assert form.pk in [row["pk"] for row in approval_queue(user=director)[0:50] if row["code"] == "F05"]
    client.force_login(manager)
    assert client.get(form.get_absolute_url()).context["can_decide"] is False
    response = client.post(reverse("forms_toolkit:decide", args=["F05", form.pk]), {"decision": "approve"}, follow=True)
    form.refresh_from_db()
    assert form.status == "submitted" and "不能审批自己填写的表单" in response.content.decode()
    client.force_login(director)
    client.post(reverse("forms_toolkit:decide", args=["F05", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.status == "approved"


def test_an_f25_engineer_who_filled_the_form_does_not_sign_the_engineer_line(client, rep, manager, project):
    from demo.forms import demo_stage_form
    from pipeline.models import ProjectMember

    engineer, other_engineer = (UserFactory(username=n, role=User.Role.REP, team=rep.team) for n in ("eng1", "eng2"))
    for user in (engineer, other_engineer):
        ProjectMember.objects.create(project=project, user=user, role="engineer", team=project.team)
    form = demo_stage_form("F25", project=project, by=engineer, status="submitted")
    client.force_login(manager)
    client.post(reverse("forms_toolkit:decide", args=["F25", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.awaiting_step == "engineer"
    client.force_login(engineer)
    client.post(reverse("forms_toolkit:decide", args=["F25", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.awaiting_step == "engineer"
    client.force_login(other_engineer)
    client.post(reverse("forms_toolkit:decide", args=["F25", form.pk]), {"decision": "approve"})
    form.refresh_from_db()
    assert form.awaiting_step == "project_manager"


@pytest.mark.parametrize("code", ["F04", "F07", "F26"])
def test_customer_papers_need_edit_rights_on_the_customer(client, rep, teammate, customer, code):
    client.force_login(teammate)  # sees the team's customer, may not edit it
    assert client.get(reverse("forms_toolkit:create", args=[code]) + f"?customer={customer.pk}").status_code == 403
    client.force_login(rep)
    assert client.get(reverse("forms_toolkit:create", args=[code]) + f"?customer={customer.pk}").status_code == 200


def test_the_approval_queue_lists_the_teams_submitted_forms_oldest_first(client, rep, manager, other_manager, project):
    from demo.forms import demo_stage_form

    older = demo_stage_form("F05", project=project, by=rep, status="submitted")
    newer = demo_stage_form("F12", project=project, by=rep, status="submitted")
    demo_stage_form("F17", project=project, by=rep, status="draft")
    client.force_login(manager)
    items = client.get(reverse("forms_toolkit:queue")).context["items"]
    assert [i["number"] for i in items] == [older.number, newer.number]
    client.post(
        reverse("forms_toolkit:decide", args=["F05", older.pk]),
        {"decision": "approve", "next": reverse("forms_toolkit:queue")},
    )
    assert [i["number"] for i in client.get(reverse("forms_toolkit:queue")).context["items"]] == [newer.number]
    client.force_login(other_manager)
    assert client.get(reverse("forms_toolkit:queue")).context["items"] == []
    client.force_login(rep)
    assert client.get(reverse("forms_toolkit:queue")).status_code == 403


@pytest.mark.parametrize("rows", [1, 15])
def test_the_queue_query_count_does_not_grow(client, rep, manager, project, rows, django_assert_num_queries):
    from demo.forms import demo_stage_form

    for _ in range(rows):
        demo_stage_form("F05", project=project, by=rep, status="submitted")
    client.force_login(manager)
    client.get(reverse("forms_toolkit:queue"))
    # user, one UNION over the form tables for the page, one for the counts per form (the session is cached)
    with django_assert_num_queries(3):
        client.get(reverse("forms_toolkit:queue"))


@pytest.mark.parametrize("code", ALL_TYPES)
def test_saving_over_someone_elses_change_shows_both_and_loses_neither(client, rep, manager, project, post_data, code):
    form_type = registry.get(code)
    customer = project.customer
    form = _make(client, rep, form_type, project, customer, post_data)
    url = reverse("forms_toolkit:update", args=[code, form.pk])
    texts = [
        n
        for n in form_type.header_fields
        if form_type.model._meta.get_field(n).get_internal_type() == "TextField" and n not in form_type.sensitive_fields
    ]
    field = texts[0] if texts else "filled_on"
    theirs_value, mine_value = ("经理写的内容", "代表写的内容") if texts else ("2026-10-01", "2026-09-01")
    opened_version = form.version

    def data(value):
        d = post_data(form_type, customer=customer, version=opened_version)
        for inline in form_type.inlines:  # post the saved rows back unchanged: the header is what clashes
            d[f"{inline.prefix}-INITIAL_FORMS"] = "1"
            d[f"{inline.prefix}-0-id"] = str(getattr(form, inline.prefix).get().pk)
        d[field] = value
        return d

    client.force_login(manager)
    assert client.post(url, data(theirs_value)).status_code == 302
    client.force_login(rep)
    response = client.post(url, data(mine_value))
    assert response.status_code == 409
    html = response.content.decode()
    shown = (lambda v: v) if texts else (lambda v: v.replace("-", "年", 1))
    assert mine_value in html and (theirs_value in html or shown(theirs_value) in html or "2026年10月1日" in html)
    form.refresh_from_db()
    assert str(getattr(form, field)) == theirs_value
    again = {**data(mine_value), "version": str(form.version)}
    assert client.post(url, again).status_code == 302
    form.refresh_from_db()
    assert str(getattr(form, field)) == mine_value
    assert {str(getattr(h, field)) for h in form.history.all()} >= {theirs_value, mine_value}


def test_submitting_f01_and_f05_turns_promises_and_next_contacts_into_tasks(rep, project):
    from demo.forms import demo_stage_form
    from pipeline.models import Task

    demo_stage_form("F01", project=project, by=rep, status="submitted")
    demo_stage_form("F05", project=project, by=rep, status="submitted")
    kinds = list(Task.objects.filter(project=project).exclude(kind="stage").values_list("kind", "title"))
    assert ("promise", "发送同类项目案例") in kinds and ("promise", "一周内提供参观安排") in kinds
    assert sum(1 for kind, _t in kinds if kind == "next_contact") == 2


@pytest.mark.parametrize("code", ["F21", "F24"])
def test_confidential_fields_only_for_owner_manager_and_directors(
    client, rep, teammate, manager, director, project, code
):
    from demo.forms import demo_stage_form
    from pipeline.models import ProjectMember

    ProjectMember.objects.create(project=project, user=teammate, role="engineer")
    form = demo_stage_form(code, project=project, by=rep, status="draft")
    secret = str(form.price_floor) if code == "F21" else form.vat_number
    secret = secret.replace(".00", "")
    for user, sees in ((rep, True), (manager, True), (director, True), (teammate, False)):
        client.force_login(user)
        detail = client.get(form.get_absolute_url()).content.decode()
        pdf_text = _pdf_text(client.get(reverse("forms_toolkit:pdf", args=[code, form.pk])).content)
        shown = secret.replace(",", "") in detail.replace(",", "")
        assert shown is sees, user
        assert (secret.replace(",", "") in pdf_text.replace(",", "")) is sees
        edit = client.get(reverse("forms_toolkit:update", args=[code, form.pk]))
        field = "price_floor" if code == "F21" else "vat_number"
        assert (field in edit.context["form"].fields) is sees


needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")


def _pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


@needs_poppler
@pytest.mark.parametrize("code", ALL_TYPES)
def test_every_form_prints_to_a_pdf_with_its_labels_values_and_an_embedded_subset_sc_font(
    client, rep, manager, director, project, customer, code, tmp_path
):
    from demo.forms import demo_stage_form

    form_type = registry.get(code)
    form = demo_stage_form(
        code,
        project=project if form_type.level == "project" else None,
        customer=customer,
        by=rep,
        status="approved",
        approver=manager,
        director=director,
    )
    client.force_login(rep)
    response = client.get(reverse("forms_toolkit:pdf", args=[code, form.pk]))
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert len(content) < 500 * 1024
    text = _pdf_text(content)
    for expected in (
        str(form_type.title),
        form.number,
        customer.name,
        str(form_type.filler_label),
        "领导建议",
        "第 1 页",
        rep.display_name,
        "华工装备集团有限公司",
    ):
        assert expected.replace(" ", "") in text.replace(" ", ""), expected
    for step in form_type.approval_steps:
        assert str(step.label) in text
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    # Print-Sans-SC: Noto Sans CJK SC cut down to what forms are written in (forms_toolkit/print_fonts.py)
    sc_lines = [line for line in fonts.splitlines() if any(sc in line for sc in ("CJK-SC", "CJKsc", "Sans-SC"))]
    assert sc_lines, fonts
    for line in sc_lines:
        name, *_rest = line.split()
        assert "+" in name  # subset fonts are named ABCDEF+Family
        assert " yes yes " in line  # embedded, subset
    assert "CJK-JP" not in fonts and "CJKjp" not in fonts
