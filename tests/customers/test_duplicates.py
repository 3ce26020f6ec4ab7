"""Duplicate customers: found by code, by the name without its legal form, by a very similar name;
another team's only as who to ask; merged by a manager, with everything moved and history kept."""

import pytest
from django.urls import reverse

from contacts.models import Contact
from customers.duplicates import similar_customers, similarity
from customers.models import Customer, name_key
from customers.services import customer_merge
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("上海振华重工(集团)股份有限公司", "上海振华重工"),
        ("上海振华重工（集团）股份有限公司", "上海振华重工"),
        ("上海 振华重工有限责任公司", "上海振华重工"),
        ("振华重工集团", "振华重工"),
        ("ZPMC Co., Ltd.", "zpmc"),
        ("Siemens (China) Ltd", "siemens"),
    ],
)
def test_the_name_key_drops_legal_forms_brackets_and_spaces(name, key):
    assert name_key(name) == key


def test_a_name_that_is_only_a_legal_form_is_never_emptied():
    assert name_key("有限公司") and name_key("集团")


def test_similarity_is_pg_trgms_measure():
    assert similarity("上海电气", "上海电气") == 1.0
    assert 0.3 < similarity("江苏恒立液压", "江苏恒力液压") < 0.5
    assert similarity("甲", "乙") == 0.0


def test_a_customer_is_found_by_code_by_name_key_and_by_a_similar_name(rep, settings):
    settings.CUSTOMER_SIMILARITY = 0.4
    mine = CustomerFactory(owner=rep, name="上海振华重工(集团)股份有限公司", code="ZH-1")
    by_code = similar_customers(name="别的名字", code="zh-1", user=rep)
    assert [f.customer for f in by_code] == [mine] and by_code[0].why == "企业标识/编号相同"
    by_name = similar_customers(name="上海振华重工有限公司", user=rep)
    assert [f.customer for f in by_name] == [mine] and by_name[0].why == "去掉公司类型后名称相同"
    near = similar_customers(name="上海振华重工机械", user=rep)
    assert [f.customer for f in near] == [mine] and near[0].why == "名称非常相似"
    assert similar_customers(name="北京首钢", user=rep) == []


def test_names_apart_only_by_a_number_are_two_companies(rep):
    CustomerFactory(owner=rep, name="鞍钢一厂", code="AG-1")
    assert similar_customers(name="鞍钢二厂", user=rep) == []
    CustomerFactory(owner=rep, name="测试重工0001有限公司", code="T-1")
    assert similar_customers(name="测试重工0002有限公司", user=rep) == []


def test_another_teams_customer_is_told_only_as_who_to_ask(rep, other_rep, other_manager):
    CustomerFactory(owner=other_rep, name="北方重工集团有限公司", code="BF-1")
    found = similar_customers(name="北方重工有限公司", user=rep)
    assert len(found) == 1 and found[0].customer is None
    assert other_manager.display_name in found[0].warning and "北方重工" not in found[0].warning


def test_creating_a_similar_customer_asks_first_and_keeps_what_was_typed(client_for, rep, other_rep, other_manager):
    CustomerFactory(owner=other_rep, name="北方重工集团有限公司", code="BF-1")
    client = client_for(rep)
    data = {"name": "北方重工有限公司", "code": "NEW-1", "category": "general", "collected_by": rep.pk}
    response = client.post(reverse("customers:create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and not Customer.objects.filter(code="NEW-1").exists()
    assert other_manager.display_name in page and "BF-1" not in page and 'value="NEW-1"' in page
    assert 'name="duplicate_confirmed"' in page
    response = client.post(reverse("customers:create"), {**data, "duplicate_confirmed": "1"})
    assert response.status_code == 302 and Customer.objects.filter(code="NEW-1").exists()


def test_an_edit_that_keeps_the_name_is_not_asked(client_for, rep, customer):
    CustomerFactory(owner=rep, name="江南重型机械有限公司", code="JN-9")
    data = {"name": customer.name, "code": customer.code, "category": "vip", "version": customer.version}
    response = client_for(rep).post(reverse("customers:update", args=[customer.pk]), data)
    assert response.status_code == 302


def test_a_merge_moves_contacts_projects_forms_files_and_history(manager, rep, customer, make_project):
    from demo.forms import demo_stage_form

    twin = CustomerFactory(owner=rep, name="江南重型机械有限公司", code="JN-0001B", phone="0510-1", fax="")
    contact = ContactFactory(customer=twin, name="钱工")
    project = make_project(customer_=twin, name="行车改造")
    form = demo_stage_form("F05", project=project, by=rep, status="draft")
    before = twin.history.count()
    survivor = customer_merge(survivor=customer, merged=twin, by=manager)
    assert not Customer.objects.filter(pk=twin.pk).exists()
    contact.refresh_from_db()
    project.refresh_from_db()
    assert contact.customer_id == survivor.pk and project.customer_id == survivor.pk
    assert type(form).objects.get(pk=form.pk).customer_id == survivor.pk
    assert survivor.phone == "0510-1"  # what the survivor lacked
    assert survivor.history.count() >= before + 1
    from core.history import history_entries

    assert "合并了客户" in history_entries(survivor)[0].action and "JN-0001B" in history_entries(survivor)[0].action


def test_a_manager_merges_within_the_team_only_and_a_rep_never(client_for, manager, rep, other_rep, customer):
    theirs = CustomerFactory(owner=other_rep, name="江南重型机械有限公司", code="X-1")
    mine = CustomerFactory(owner=rep, name="江南重型机械集团", code="X-2")
    assert client_for(rep).get(reverse("customers:merge", args=[customer.pk])).status_code == 403
    client = client_for(manager)
    page = client.get(reverse("customers:merge", args=[customer.pk])).content.decode()
    assert "X-2" in page and "X-1" not in page  # suggested: the team's twin, never the other team's
    response = client.post(reverse("customers:merge", args=[customer.pk]), {"merged": theirs.pk, "confirm": "on"})
    assert response.status_code == 200 and Customer.objects.filter(pk=theirs.pk).exists()
    response = client.post(reverse("customers:merge", args=[customer.pk]), {"merged": mine.pk, "confirm": "on"})
    assert response.status_code == 302 and not Customer.objects.filter(pk=mine.pk).exists()
    assert Contact.objects.filter(customer=customer).count() == Contact.objects.filter(customer_id=customer.pk).count()
