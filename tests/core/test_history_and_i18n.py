from django.urls import reverse

from core.history import history_entries
from customers import services


def test_history_lists_newest_first_with_labels_and_choice_names(rep, manager, customer):
    customer.category = "vip"
    services.customer_update(customer=customer, by=rep, changed_fields=["category"])
    services.customer_review(customer=customer, by=manager)
    entries = history_entries(customer)
    assert entries[0].who == manager.display_name
    assert {c.label for c in entries[0].changes} >= {"信息审核标记", "信息审核人"}
    reviewer = next(c for c in entries[0].changes if c.label == "信息审核人")
    assert reviewer.new == manager.display_name
    assert entries[1].changes[0].label == "客户类别" and entries[1].changes[0].new == "VIP"


def test_zh_hans_is_the_default_whatever_the_browser_says(client, rep):
    client.force_login(rep)
    html = client.get(reverse("home"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "我负责的客户" in html and 'lang="zh-Hans"' in html


def test_the_switch_turns_the_interface_english_and_back(client, rep):
    client.force_login(rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("customers:list")).content.decode()
    assert "Customer category" in html and 'lang="en"' in html
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "客户类别" in client.get(reverse("customers:list")).content.decode()


def test_the_language_switch_works_before_logging_in(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert "Log in" in client.get(reverse("login")).content.decode()


def test_login_logout_and_password_change(client, rep):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw"})
    assert response.status_code == 302 and response.url == reverse("home")
    response = client.post(
        reverse("password_change"),
        {"old_password": "pw", "new_password1": "Kx9!industrial", "new_password2": "Kx9!industrial"},
    )
    assert response.status_code == 302
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    assert client.post(reverse("login"), {"username": "alice", "password": "Kx9!industrial"}).status_code == 302


def test_a_wrong_password_is_refused_in_chinese(client, rep):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()
    assert 'value="alice"' in response.content.decode()


def test_a_customer_stage_change_is_named_by_the_customers_stage(rep, project, stage):
    from core.history import history_entries
    from pipeline import services

    services.project_observe_customer_stage(project=project, stage=stage(6), by=rep)
    change = next(c for e in history_entries(project) for c in e.changes if c.label == "客户采购阶段")
    assert (change.old, change.new) == ("1 发现问题,提出问题", "6 认准首选,筛供应商")


def test_sort_choices_say_descending_in_chinese(client, rep):
    client.force_login(rep)
    html = client.get(reverse("pipeline:project-list")).content.decode()
    assert "预计签约日期(降序)" in html and "descending" not in html and "%s" not in html


def test_the_english_interface_shows_the_catalogs_english_and_its_own_words(client, rep, project):
    client.force_login(rep)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    head = client.get(project.get_absolute_url()).content.decode()
    assert "Find what the customer is unhappy with" in head and "寻找客户" not in head
    assert "Our sales process" in head and "Project Sales CRM ·" not in head
    paperwork = client.get(reverse("pipeline:project-section", args=[project.pk, "paperwork"])).content.decode()
    assert "1 Phone invitation" in paperwork and "电话邀约型" not in paperwork
    assert '<h2 class="h5">Tasks</h2>' in paperwork
    listing = client.get(reverse("pipeline:project-list")).content.decode()
    assert "(descending)" in listing and "降序" not in listing and "%s" not in listing
