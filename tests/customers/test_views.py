from decimal import Decimal

import pytest
from django.urls import reverse

from customers.models import Customer
from tests.factories import CustomerFactory

VALID = {
    "name": "北方重型装备集团有限公司",
    "code": "BF-0101",
    "category": "vip",
    "source": "exhibition",
    "industry": "machinery",
    "ownership": "state",
    "business_type": "production",
    "annual_output": "2450000",
    "market_share": "22.5",
    "credit_rating": "white",
}


def test_it_creates_a_customer_owned_by_the_rep_with_the_audit_block_filled(client, rep):
    client.force_login(rep)
    response = client.post(reverse("customers:create"), VALID)
    customer = Customer.objects.get(code="BF-0101")
    assert response.status_code == 302 and response.url == customer.get_absolute_url()
    assert customer.owner == rep and customer.team == rep.team
    assert customer.entered_by == rep and customer.collected_by == rep and customer.registered_on is not None
    assert not customer.is_reviewed and customer.reviewed_by is None
    assert customer.annual_output == Decimal("2450000")


def test_it_lets_a_manager_assign_the_owner_and_the_team_follows(client, manager, teammate):
    client.force_login(manager)
    client.post(reverse("customers:create"), {**VALID, "owner": teammate.pk})
    customer = Customer.objects.get(code="BF-0101")
    assert customer.owner == teammate and customer.team == teammate.team and customer.entered_by == manager


def test_it_refuses_an_owner_from_another_team(client, manager, other_rep):
    client.force_login(manager)
    response = client.post(reverse("customers:create"), {**VALID, "owner": other_rep.pk})
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not Customer.objects.filter(code="BF-0101").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "这个字段是必填项。"),
        ("code", "", "这个字段是必填项。"),
        ("market_share", "120", "100"),
        ("annual_output", "-5", "0"),
        ("annual_output", "很多", "输入一个数字。"),
        ("email", "not-an-email", "有效的 Email"),
        ("category", "platinum", "选择一个有效的选项"),
    ],
)
def test_it_shows_field_errors_in_chinese_and_keeps_what_was_typed(client, rep, field, value, message):
    client.force_login(rep)
    data = {**VALID, field: value, "main_products": "冶金成套设备"}
    response = client.post(reverse("customers:create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    html = response.content.decode()
    assert "冶金成套设备" in html and "请更正下面标出的错误" in html
    assert not Customer.objects.filter(code="BF-0101").exists()


def test_it_refuses_a_duplicate_company_number(client, rep, customer):
    client.force_login(rep)
    response = client.post(reverse("customers:create"), {**VALID, "code": customer.code})
    assert "code" in response.context["form"].errors
    assert "已被使用" in " ".join(response.context["form"].errors["code"])


def test_it_shows_errors_in_english_when_the_user_chose_english(client, rep):
    client.force_login(rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.post(reverse("customers:create"), {**VALID, "name": ""})
    assert "This field is required." in " ".join(response.context["form"].errors["name"])
    assert "Company name" in response.content.decode()


def test_it_records_the_change_history_as_field_old_and_new(client, rep, customer):
    client.force_login(rep)
    data = {**VALID, "code": customer.code, "name": customer.name, "category": "vip"}
    client.post(reverse("customers:update", args=[customer.pk]), data)
    response = client.get(reverse("customers:detail", args=[customer.pk]))
    history = response.context["history"]
    assert history[0].who == rep.display_name
    change = next(c for c in history[0].changes if c.label == "客户类别")
    assert (change.old, change.new) == ("重要", "VIP")


def test_a_managers_review_marks_the_record_and_a_reps_edit_clears_it(client, rep, manager, customer):
    client.force_login(manager)
    client.post(reverse("customers:review", args=[customer.pk]))
    customer.refresh_from_db()
    assert customer.is_reviewed and customer.reviewed_by == manager and customer.reviewed_at
    client.force_login(rep)
    client.post(reverse("customers:update", args=[customer.pk]), {**VALID, "code": customer.code})
    customer.refresh_from_db()
    assert not customer.is_reviewed and customer.reviewed_by is None


def test_a_managers_own_edit_keeps_the_review_mark(client, manager, customer):
    client.force_login(manager)
    client.post(reverse("customers:review", args=[customer.pk]))
    client.post(
        reverse("customers:update", args=[customer.pk]), {**VALID, "code": customer.code, "owner": customer.owner_id}
    )
    customer.refresh_from_db()
    assert customer.is_reviewed


def test_review_needs_post(client, manager, customer):
    client.force_login(manager)
    assert client.get(reverse("customers:review", args=[customer.pk])).status_code == 405


def test_the_list_searches_filters_and_paginates(client, rep, teammate):
    CustomerFactory.create_batch(30, owner=teammate, category="general")
    CustomerFactory(owner=rep, name="蓝天航空部件制造有限公司", code="LT-1", category="vip", industry="aviation")
    client.force_login(rep)
    url = reverse("customers:list")
    page = client.get(url).context["page"]
    assert (len(page), page.has_next) == (25, True)
    assert len(client.get(url, {"page": 2}).context["page"]) == 6
    assert len(client.get(url).context["page"].object_list) == 25
    assert client.get(url, {"page": 2}).context["page"].number == 2
    far = client.get(url, {"page": 99})
    assert far.context["page"].number == 99 and not far.context["page"].object_list  # no count: an empty page
    assert "回到第一页" in far.content.decode()
    assert client.get(url, {"page": "x"}).context["page"].number == 1
    assert [c.code for c in client.get(url, {"q": "航空"}).context["page"]] == ["LT-1"]
    assert [c.code for c in client.get(url, {"category": "vip"}).context["page"]] == ["LT-1"]
    assert [c.code for c in client.get(url, {"industry": "aviation"}).context["page"]] == ["LT-1"]
    assert [c.code for c in client.get(url, {"owner": rep.pk}).context["page"]] == ["LT-1"]
    assert client.get(url, {"owner": "999999"}).status_code == 200


def test_the_list_answers_htmx_with_only_its_results(client, rep, customer):
    client.force_login(rep)
    response = client.get(reverse("customers:list"), {"q": "江南"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert customer.name in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("rows", [1, 40])
def test_the_list_costs_the_same_queries_for_few_and_many_rows(client, rep, django_assert_num_queries, rows):
    CustomerFactory.create_batch(rows, owner=rep)
    client.force_login(rep)
    client.get(reverse("customers:list"))
    # user with team, page rows (no count); the session and the filter's owner choices come from the cache
    with django_assert_num_queries(2):
        client.get(reverse("customers:list"))


@pytest.mark.parametrize("contacts", [1, 20])
def test_the_detail_page_costs_the_same_queries_for_few_and_many_contacts(
    client, rep, customer, contacts, django_assert_num_queries
):
    from tests.factories import ContactFactory

    ContactFactory.create_batch(contacts, customer=customer)
    client.force_login(rep)
    client.get(reverse("customers:detail", args=[customer.pk]))
    # user, customer, contacts, its history, the projects listed, and one UNION for the customer-level
    # forms (session and names cached)
    with django_assert_num_queries(6):
        client.get(reverse("customers:detail", args=[customer.pk]))


def test_a_code_held_by_another_team_is_only_said_to_be_taken(client, rep, other_rep):
    CustomerFactory(owner=other_rep, code="SH-0009", name="华北秘密客户有限公司")
    client.force_login(rep)
    response = client.post(
        reverse("customers:create"), {"name": "上海新客户", "code": "SH-0009", "category": "general"}
    )
    page = response.content.decode()
    assert "这个企业标识/编号已被使用" in page
    assert "华北秘密客户" not in page and "华北二部" not in page and "客户 已存在" not in page
    assert "上海新客户" in page  # what was typed is kept


def test_the_customer_page_lists_its_projects_with_both_tracks_and_starts_a_new_one(
    client, rep, other_rep, customer, make_project
):
    project = make_project(name="临港基地行车改造")
    client.force_login(rep)
    page = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert "临港基地行车改造" in page and project.number in page
    assert "1. 项目立项" in page and "1. 发现问题,提出问题" in page and "1,000,000.00" in page
    assert f"/projects/new/?customer={customer.pk}" in page
    new = client.get(f"/projects/new/?customer={customer.pk}")
    assert new.context["form"].initial["customer"] == customer
