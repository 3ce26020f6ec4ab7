"""Excel and CSV import: header detection, column mapping, the check, refusals and their reasons,
updates, one transaction, history, undo and who may import what."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from contacts.models import Contact
from core.history import history_entries
from customers.models import Customer
from imports import services
from imports.models import ImportRow, ImportRun
from pipeline.models import Project
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def xlsx(rows, *, merges=(), title="客户") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def checked(kind, content, name, by, mapping=None) -> ImportRun:
    run = services.import_upload(kind=kind, upload=SimpleUploadedFile(name, content), by=by)
    run = services.import_map(run=run, mapping=mapping or run.mapping, by=by)
    return services.import_check(run_id=run.pk)


def imported(kind, content, name, by, mapping=None) -> ImportRun:
    run = checked(kind, content, name, by, mapping)
    assert run.status == ImportRun.Status.CHECKED, run.error
    run = services.import_confirm(run=run, by=by)
    return services.import_apply(run_id=run.pk)


def outcomes(run) -> dict[int, tuple[str, str]]:
    return {r.line: (r.outcome, r.reason) for r in ImportRow.objects.filter(run=run)}


HEADER = ["企业名称", "企业标识/编号", "客户类别", "企业性质", "年产值(万元)", "负责人"]


def test_a_real_workbook_with_a_title_merged_group_headings_and_blank_lines(manager, rep):
    content = xlsx(
        [
            ["华东区客户名单"],
            ["基本信息", None, None, None, "经营状况", "负责"],
            HEADER,
            ["上海振华重工(集团)股份有限公司", "ZH-001", "重要", "国有", 12000.5, "alice"],
            [None, None, None, None, None, None],
            ["宁波港机械有限公司", "NB-002", "VIP", "外资", "1,200", ""],
            [],
        ],
        merges=("A1:F1", "A2:D2"),
    )
    run = checked("customers", content, "客户.xlsx", manager)
    assert run.header_line == 3 and run.mapping == ["name", "code", "category", "ownership", "annual_output", "owner"]
    assert run.status == "checked" and run.counts == {"new": 2}
    assert not Customer.objects.filter(code__in=["ZH-001", "NB-002"]).exists()  # the check wrote nothing

    run = services.import_apply(run_id=services.import_confirm(run=run, by=manager).pk)
    assert run.counts == {"new": 2}
    zh = Customer.objects.get(code="ZH-001")
    assert (zh.category, zh.ownership, zh.annual_output, zh.owner, zh.team_id) == (
        "important",
        "state",
        Decimal("12000.50"),
        rep,
        manager.team_id,
    )
    nb = Customer.objects.get(code="NB-002")
    assert nb.owner == manager and nb.annual_output == Decimal("1200")  # blank 负责人: the importer
    assert ImportRow.objects.get(run=run, line=4).object_id == zh.pk


def test_a_heading_merged_down_over_two_header_rows_still_names_its_column(manager):
    content = xlsx(
        [
            ["企业名称", "联系方式", None, "企业标识/编号"],
            [None, "电话", "传真", None],
            ["甲公司", "010-1", "010-2", "JA-1"],
        ],
        merges=("A1:A2", "B1:C1", "D1:D2"),
    )
    run = services.import_upload(kind="customers", upload=SimpleUploadedFile("a.xlsx", content), by=manager)
    assert run.header_line == 2 and run.mapping == ["name", "phone", "fax", "code"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gb18030(manager, encoding):
    content = csv_bytes([HEADER, ["杭州锅炉集团", "HZ-9", "一般", "集体", "", "bob"]], encoding)
    run = imported("customers", content, f"客户-{encoding}.csv", manager)
    assert run.counts == {"new": 1}
    assert Customer.objects.get(code="HZ-9").name == "杭州锅炉集团"


def test_columns_match_english_names_and_an_unmatched_one_is_mapped_by_hand(manager):
    content = csv_bytes([["Name", "customer code", "Category", "单位名称备注"], ["ACME", "AC-1", "VIP", "x"]])
    run = services.import_upload(kind="customers", upload=SimpleUploadedFile("en.csv", content), by=manager)
    assert run.mapping == ["name", "code", "category", ""]
    run = services.import_map(run=run, mapping=["name", "code", "category", "anomalies"], by=manager)
    run = services.import_check(run_id=run.pk)
    run = services.import_apply(run_id=services.import_confirm(run=run, by=manager).pk)
    acme = Customer.objects.get(code="AC-1")
    assert (acme.category, acme.anomalies) == ("vip", "x")


def test_the_common_chinese_headers_of_a_customer_list_match_too(manager):
    """Customer lists are rarely headed with F02's own 企业名称: 客户名称 and 客户编号 are far more usual."""
    content = csv_bytes([["客户名称", "客户编号", "客户类别"], ["杭州甲乙机械有限公司", "HZ-001", "重要"]])
    run = services.import_upload(kind="customers", upload=SimpleUploadedFile("list.csv", content), by=manager)
    assert run.mapping == ["name", "code", "category"]
    assert services.mapping_guess("customers", ["公司名称", "统一社会信用代码"]) == ["name", "code"]


def test_a_mapping_with_a_field_twice_or_without_a_required_one_is_refused(manager):
    content = csv_bytes([["企业名称", "简称", "编号x"], ["甲", "乙", "J-1"]])
    run = services.import_upload(kind="customers", upload=SimpleUploadedFile("m.csv", content), by=manager)
    with pytest.raises(services.ImportRefused, match="企业标识/编号"):
        services.import_map(run=run, mapping=["name", "short_name", ""], by=manager)
    with pytest.raises(services.ImportRefused, match="同一个字段"):
        services.import_map(run=run, mapping=["name", "name", "code"], by=manager)


def test_every_refusal_says_why_in_chinese(manager, rep, other_rep, customer):
    content = csv_bytes(
        [
            ["客户", "项目名称", "项目金额", "预计签约日期", "我方阶段", "负责人", "状态", "丢单原因"],
            ["JN-0001", "好项目", "100", "2027-03-01", "2", "alice", "", ""],
            ["JN-0001", "坏日期", "100", "明年三月", "2", "alice", "", ""],
            ["JN-0001", "坏阶段", "100", "2027-03-01", "第九阶段", "alice", "", ""],
            ["JN-0001", "陌生人", "100", "2027-03-01", "2", "nobody", "", ""],
            ["不存在的客户", "无客户", "100", "2027-03-01", "2", "alice", "", ""],
            ["JN-0001", "别队的人", "100", "2027-03-01", "2", "charlie", "", ""],
            ["JN-0001", "丢单无原因", "100", "2027-03-01", "3", "alice", "丢单", ""],
            ["", "缺客户", "100", "2027-03-01", "1", "alice", "", ""],
        ]
    )
    run = checked("projects", content, "项目.csv", manager)
    found = outcomes(run)
    assert found[2][0] == "new"
    assert "不是日期" in found[3][1] and found[3][0] == "refused"
    assert "未知的我方阶段" in found[4][1]
    assert "未知的负责人“nobody”" in found[5][1]
    assert "找不到客户“不存在的客户”" in found[6][1]
    assert "不在你的范围内" in found[7][1]
    assert "丢单原因" in found[8][1]
    assert found[9] == ("refused", "客户不能为空")
    assert run.counts == {"new": 1, "refused": 7}


def test_a_rep_imports_into_their_own_name_only(rep, teammate):
    content = csv_bytes([HEADER, ["甲", "R-1", "", "", "", ""], ["乙", "R-2", "", "", "", "amy"]])
    run = imported("customers", content, "r.csv", rep)
    assert Customer.objects.get(code="R-1").owner == rep
    assert not Customer.objects.filter(code="R-2").exists()
    assert "不在你的范围内" in outcomes(run)[3][1]


def test_another_teams_code_is_refused_naming_only_who_to_ask(manager, other_rep, other_manager):
    theirs = CustomerFactory(owner=other_rep, name="北方重工有限公司", code="BF-1")
    run = checked("customers", csv_bytes([HEADER, ["北方重工", "BF-1", "", "", "", ""]]), "x.csv", manager)
    outcome, reason = outcomes(run)[2]
    assert outcome == "refused" and other_manager.display_name in reason
    assert theirs.name not in reason
    theirs.refresh_from_db()
    assert theirs.name == "北方重工有限公司"


def test_updates_match_customers_by_code_and_say_unchanged_when_nothing_differs(manager, customer):
    content = csv_bytes([["企业标识/编号", "企业名称", "电话"], ["JN-0001", customer.name, "021-555"]])
    run = imported("customers", content, "u.csv", manager)
    assert run.counts == {"update": 1}
    customer.refresh_from_db()
    assert customer.phone == "021-555"
    entry = history_entries(customer)[0]
    assert entry.who == manager.display_name and "导入 #" in entry.action and "u.csv" in entry.action
    again = imported("customers", content, "u2.csv", manager)
    assert again.counts == {"unchanged": 1}


def test_contacts_match_on_customer_and_name_and_bosses_are_found_within_the_customer(manager, customer):
    ContactFactory(customer=customer, name="顾长庚", title="董事长")
    content = csv_bytes(
        [
            ["企业标识/编号", "姓名", "职位", "直接上级", "影响力"],
            ["JN-0001", "李工", "设备部部长", "王总", "核心成员"],
            ["JN-0001", "顾长庚", "董事长兼总经理", "", "决策者"],
            [customer.name, "王总", "副总经理", "顾长庚", ""],
            ["JN-0001", "孤儿", "", "查无此人", ""],
        ]
    )
    run = imported("contacts", content, "c.csv", manager)
    assert run.counts == {"new": 3, "update": 1}
    li, gu, wang = (Contact.objects.get(customer=customer, name=n) for n in ("李工", "顾长庚", "王总"))
    assert li.reports_to == wang and wang.reports_to == gu and gu.title == "董事长兼总经理"
    assert li.influence == "core" and gu.influence == "decision_maker"
    assert "查无此人" in ImportRow.objects.get(run=run, line=5).warning


def test_projects_are_created_where_they_stand_and_updated_by_number(manager, rep, customer, stage):
    content = csv_bytes(
        [
            [
                "客户",
                "项目名称",
                "项目金额",
                "币种",
                "预计签约日期",
                "我方阶段",
                "客户采购阶段",
                "负责人",
                "状态",
                "丢单原因",
            ],
            ["JN-0001", "起重机", "2,000,000", "人民币", "2027/3/1", "3", "项目立项", "alice", "", ""],
            ["JN-0001", "老项目", "500000", "美元", "2025-06-30", "5", "", "alice", "丢单", "价格"],
        ]
    )
    run = imported("projects", content, "p.csv", manager)
    assert run.counts == {"new": 2}, outcomes(run)
    crane = Project.objects.get(name="起重机")
    assert (crane.stage.number, crane.customer_stage.number, crane.status, crane.amount) == (
        3,
        3,
        "open",
        Decimal("2000000"),
    )
    assert crane.owner == rep and crane.expected_close_date == datetime.date(2027, 3, 1)
    lost = Project.objects.get(name="老项目")
    assert (lost.status, lost.lost_reason, lost.currency) == ("lost", "price", "USD")

    update = csv_bytes(
        [
            ["项目编号", "客户", "项目名称", "项目金额", "预计签约日期"],
            [crane.number, "JN-0001", "起重机", "2500000", "2027-03-01"],
        ]
    )
    again = imported("projects", update, "p2.csv", manager)
    crane.refresh_from_db()
    assert again.counts == {"update": 1} and crane.amount == Decimal("2500000")
    moved = csv_bytes([["项目编号", "客户", "项目名称", "我方阶段"], [crane.number, "JN-0001", "起重机", "6"]])
    assert "阶段" in outcomes(checked("projects", moved, "p3.csv", manager))[2][1]
    unknown = csv_bytes(
        [
            ["项目编号", "客户", "项目名称", "项目金额", "预计签约日期"],
            ["XM-1999-000001", "JN-0001", "x", "1", "2027-01-01"],
        ]
    )
    assert "找不到项目编号" in outcomes(checked("projects", unknown, "p4.csv", manager))[2][1]


def test_cancel_writes_nothing_and_forgets_the_file(manager, django_capture_on_commit_callbacks):
    run = checked("customers", csv_bytes([HEADER, ["甲", "CX-1", "", "", "", ""]]), "c.csv", manager)
    name = run.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.import_cancel(run=run, by=manager)
    run.refresh_from_db()
    assert run.status == "cancelled" and not Customer.objects.filter(code="CX-1").exists()
    assert not ImportRow.objects.filter(run=run).exists()
    assert not run.file.storage.exists(name)


def test_undo_takes_new_rows_away_and_puts_updated_ones_back(manager, customer):
    content = csv_bytes(
        [["企业标识/编号", "企业名称", "电话"], ["JN-0001", customer.name, "021-1"], ["NEW-1", "新客户", ""]]
    )
    run = imported("customers", content, "u.csv", manager)
    assert services.undo_blockers(run) == []
    services.import_undo(run=run, by=manager)
    customer.refresh_from_db()
    assert customer.phone == "" and not Customer.objects.filter(code="NEW-1").exists()
    assert "撤销导入" in history_entries(customer)[0].action


def test_undo_is_refused_once_a_row_was_touched_since(manager, customer):
    from customers.services import customer_update

    run = imported(
        "customers",
        csv_bytes([["企业标识/编号", "企业名称", "电话"], ["JN-0001", customer.name, "021-1"]]),
        "u.csv",
        manager,
    )
    customer.refresh_from_db()
    customer.fax = "021-2"
    customer_update(customer=customer, by=manager, changed_fields=["fax"])
    assert services.undo_blockers(run)
    with pytest.raises(services.ImportRefused, match="第 2 行"):
        services.import_undo(run=run, by=manager)


def test_one_import_is_one_transaction(manager, monkeypatch):
    """A failure in the middle leaves nothing of the lines before it (two chunks: the first written)."""
    from customers import services as customer_services

    real, calls = customer_services.customers_create_in_bulk, []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "CHUNK", 3)
    lines = [[f"客户{i}", f"T-{i}", "", "", "", ""] for i in range(5)]
    run = checked("customers", csv_bytes([HEADER, *lines]), "t.csv", manager)
    monkeypatch.setattr(customer_services, "customers_create_in_bulk", failing)
    run = services.import_apply(run_id=services.import_confirm(run=run, by=manager).pk)
    assert run.status == "failed" and "disk full" in run.error
    assert not Customer.objects.filter(code__startswith="T-").exists()


def test_refused_lines_download_with_their_reason_and_import_again_once_fixed(client_for, manager):
    content = csv_bytes([HEADER, ["好", "F-1", "重要", "", "", ""], ["坏", "F-2", "普通", "", "", ""]])
    run = imported("customers", content, "f.csv", manager)
    response = client_for(manager).get(reverse("imports:refused", args=[run.pk]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("原因", "原行号") and "普通" in rows[1][0] and rows[1][2:4] == ("坏", "F-2")

    fixed = Workbook()
    for row in rows:
        fixed.active.append(list(row))
    fixed.active.cell(row=2, column=5, value="一般")
    out = io.BytesIO()
    fixed.save(out)
    again = imported("customers", out.getvalue(), "fixed.xlsx", manager)
    assert again.counts == {"new": 1} and Customer.objects.get(code="F-2").category == "general"


def test_export_then_import_changes_nothing(client_for, manager, rep, customer):
    CustomerFactory(
        owner=rep, name="第二家机械有限公司", code="JN-0002", phone="0571-1", annual_output=Decimal("88.50")
    )
    response = client_for(manager).get(reverse("customers:list") + "?format=xlsx")
    content = b"".join(response.streaming_content)
    before = list(Customer.objects.order_by("pk").values())
    run = imported("customers", content, "export.xlsx", manager)
    assert run.counts == {"unchanged": 2}, outcomes(run)
    assert list(Customer.objects.order_by("pk").values()) == before


def test_templates_have_the_papers_labels_and_dropdowns(client_for, manager):
    response = client_for(manager).get(reverse("imports:template", args=["customers"]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:2] == ["企业名称 *", "企业标识/编号 *"] and "客户类别" in headers
    rules = sheet.data_validations.dataValidation
    column = headers.index("客户类别") + 1
    lists = book.worksheets[1]
    rule = next(r for r in rules if str(r.sqref).startswith(chr(64 + column)))
    assert rule.type == "list"
    assert [lists.cell(row=i, column=column).value for i in (1, 2, 3)] == ["一般", "重要", "VIP"]
    # the template, filled, imports
    sheet.append(["丙公司", "TP-1", "重要"])
    out = io.BytesIO()
    book.save(out)
    assert imported("customers", out.getvalue(), "template.xlsx", manager).counts == {"new": 1}


def test_a_file_that_is_not_a_table_is_refused_with_a_reason(manager):
    with pytest.raises(services.ImportRefused, match="xlsx"):
        services.import_upload(kind="customers", upload=SimpleUploadedFile("a.xlsx", b"not a zip"), by=manager)
    with pytest.raises(services.ImportRefused, match="表头"):
        services.import_upload(kind="customers", upload=SimpleUploadedFile("a.csv", b"x,y\n1,2\n"), by=manager)


def test_pages_walk_upload_map_check_confirm(client_for, manager, django_capture_on_commit_callbacks):
    client = client_for(manager)
    upload = SimpleUploadedFile("walk.csv", csv_bytes([HEADER, ["走查公司", "W-1", "重要", "", "", ""]]))
    response = client.post(reverse("imports:create"), {"kind": "customers", "file": upload})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "走查公司" in page and 'name="column-0"' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:map", args=[run.pk]), {f"column-{i}": m for i, m in enumerate(run.mapping)}
        )
    assert response.status_code == 302
    page = client.get(run.get_absolute_url()).content.decode()
    assert "确认导入" in page and "W-1" not in Customer.objects.values_list("code", flat=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", args=[run.pk]))
    assert Customer.objects.filter(code="W-1").exists()
    assert "撤销这次导入" in client.get(run.get_absolute_url()).content.decode()


def test_a_bad_upload_keeps_the_choice_and_says_why(client_for, manager):
    response = client_for(manager).post(
        reverse("imports:create"), {"kind": "contacts", "file": SimpleUploadedFile("a.doc", b"x")}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "只能导入 .xlsx 或 .csv 文件" in page
    assert '<option value="contacts" selected>' in page


def test_another_teams_import_is_not_found_and_a_teammate_only_reads_it(client_for, manager, other_manager, teammate):
    run = checked("customers", csv_bytes([HEADER, ["甲", "V-1", "", "", "", ""]]), "v.csv", manager)
    assert client_for(other_manager).get(run.get_absolute_url()).status_code == 404
    client = client_for(teammate)
    assert client.get(run.get_absolute_url()).status_code == 200
    assert client.post(reverse("imports:confirm", args=[run.pk])).status_code == 404
