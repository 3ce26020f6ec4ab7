import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Contact, DecisionMakerProfile
from contacts.selectors import org_chart
from tests.factories import ContactFactory, DecisionMakerProfileFactory


def test_it_creates_a_contact_for_a_customer_of_the_team(client, teammate, customer):
    client.force_login(teammate)
    response = client.post(
        reverse("contacts:create"),
        {
            "customer": customer.pk,
            "name": "钱丽娟",
            "title": "采购部经理",
            "influence": "core",
            "relationship_status": "regular",
            "birthday": "1980-05-06",
        },
    )
    contact = Contact.objects.get(name="钱丽娟")
    assert response.url == contact.get_absolute_url()
    assert contact.owner == teammate and contact.entered_by == teammate and contact.registered_on


def test_it_keeps_what_was_typed_when_the_date_is_wrong(client, rep, customer):
    client.force_login(rep)
    response = client.post(
        reverse("contacts:create"),
        {"customer": customer.pk, "name": "钱丽娟", "birthday": "1980-13-45", "interests": "登山、摄影"},
    )
    assert response.status_code == 200
    assert "birthday" in response.context["form"].errors
    assert "登山、摄影" in response.content.decode()
    assert not Contact.objects.filter(name="钱丽娟").exists()


def test_the_create_page_offers_bosses_of_the_chosen_customer_only(client, rep, customer, contact):
    other = ContactFactory(customer__owner=rep)
    client.force_login(rep)
    form = client.get(reverse("contacts:create"), {"customer": customer.pk}).context["form"]
    assert list(form.fields["reports_to"].queryset) == [contact]
    assert other not in form.fields["reports_to"].queryset


def test_it_refuses_a_boss_from_another_customer(client, rep, customer):
    stranger = ContactFactory(customer__owner=rep)
    client.force_login(rep)
    response = client.post(
        reverse("contacts:create"), {"customer": customer.pk, "name": "新人", "reports_to": stranger.pk}
    )
    assert "reports_to" in response.context["form"].errors


def test_it_refuses_a_loop_in_the_org_chart(customer):
    boss = ContactFactory(customer=customer, name="总经理")
    deputy = ContactFactory(customer=customer, name="副总", reports_to=boss)
    boss.reports_to = deputy
    with pytest.raises(ValidationError) as error:
        boss.full_clean()
    assert "reports_to" in error.value.message_dict


def test_org_chart_nests_reports_under_their_boss(customer):
    boss = ContactFactory(customer=customer, name="A总经理")
    deputy = ContactFactory(customer=customer, name="B副总", reports_to=boss)
    engineer = ContactFactory(customer=customer, name="C工程师", reports_to=deputy)
    loner = ContactFactory(customer=customer, name="D顾问")
    roots = org_chart(contacts=list(customer.contacts.order_by("name")))
    assert [r.contact for r in roots] == [boss, loner]
    assert roots[0].children[0].contact == deputy
    assert roots[0].children[0].children[0].contact == engineer


def test_org_chart_survives_a_loop_in_old_data(customer):
    a = ContactFactory(customer=customer, name="A")
    b = ContactFactory(customer=customer, name="B", reports_to=a)
    Contact.objects.filter(pk=a.pk).update(reports_to=b)
    roots = org_chart(contacts=list(customer.contacts.order_by("name")))
    seen = []

    def walk(nodes):
        for n in nodes:
            seen.append(n.contact.pk)
            walk(n.children)

    walk(roots)
    assert sorted(seen) == sorted([a.pk, b.pk])


def test_customer_page_draws_the_org_chart(client, rep, customer):
    boss = ContactFactory(customer=customer, name="顾长庚", title="董事长")
    ContactFactory(customer=customer, name="沈国平", reports_to=boss)
    client.force_login(rep)
    html = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'class="org-tree"' in html
    assert html.index("顾长庚") < html.index("沈国平")


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("rep", True), ("teammate", False), ("manager", True), ("director", True), ("admin_user", True)],
)
def test_decision_maker_personal_data_only_for_owner_manager_and_directors(request, client, contact, persona, sees):
    DecisionMakerProfileFactory(contact=contact, spouse_name="秘密配偶")
    client.force_login(request.getfixturevalue(persona))
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert ("秘密配偶" in html) is sees
    assert ("中共党员" in html) is sees
    assert ("妻子为教师" in html) is sees
    assert "关键决策人基本信息表" in html  # everyone sees that the profile exists


def test_the_history_hides_personal_values_from_those_who_may_not_see_them(client, rep, teammate, contact):
    client.force_login(rep)
    data = {"customer": contact.customer_id, "name": contact.name, "political_affiliation": "无党派人士"}
    client.post(reverse("contacts:update", args=[contact.pk]), data)
    client.force_login(teammate)
    html = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "无党派人士" not in html and "（受保护）" in html
    client.force_login(rep)
    assert "无党派人士" in client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()


def test_it_creates_then_updates_the_decision_maker_profile(client, rep, contact):
    client.force_login(rep)
    url = reverse("contacts:profile", args=[contact.pk])
    client.post(url, {"marital_status": "已婚", "spouse_birthday": "1975-03-02"})
    profile = DecisionMakerProfile.objects.get(contact=contact)
    assert profile.filled_by == rep and profile.entered_by == rep
    client.post(url, {"marital_status": "已婚", "spouse_name": "王女士"})
    profile.refresh_from_db()
    assert profile.spouse_name == "王女士" and DecisionMakerProfile.objects.count() == 1


def test_the_profile_form_rejects_a_bad_date_and_keeps_the_rest(client, rep, contact):
    client.force_login(rep)
    response = client.post(
        reverse("contacts:profile", args=[contact.pk]), {"wedding_anniversary": "昨天", "education": "清华大学"}
    )
    assert "wedding_anniversary" in response.context["form"].errors
    assert "清华大学" in response.content.decode()
    assert not DecisionMakerProfile.objects.exists()


def test_the_contact_list_searches_by_customer_name(client, rep, contact):
    ContactFactory(customer__owner=rep, name="别人")
    client.force_login(rep)
    page = client.get(reverse("contacts:list"), {"q": "江南"}).context["page"]
    assert [c.name for c in page] == [contact.name]


@pytest.mark.parametrize("rows", [1, 30])
def test_the_contact_list_query_count_does_not_grow(client, rep, customer, rows, django_assert_num_queries):
    ContactFactory.create_batch(rows, customer=customer)
    client.force_login(rep)
    client.get(reverse("contacts:list"))
    with django_assert_num_queries(2):  # user, the page: no count over the list; the session is cached
        client.get(reverse("contacts:list"))
