import pytest

from contacts.models import Contact
from customers.models import Customer
from tests.factories import ContactFactory, CustomerFactory


@pytest.fixture
def world(rep, teammate, other_rep):
    return {
        "own": CustomerFactory(owner=rep),
        "team": CustomerFactory(owner=teammate),
        "other": CustomerFactory(owner=other_rep),
    }


@pytest.mark.parametrize(
    ("persona", "visible", "editable"),
    [
        ("rep", {"own", "team"}, {"own"}),
        ("manager", {"own", "team"}, {"own", "team"}),
        ("other_rep", {"other"}, {"other"}),
        ("director", {"own", "team", "other"}, {"own", "team", "other"}),
        ("admin_user", {"own", "team", "other"}, {"own", "team", "other"}),
    ],
)
def test_querysets_and_row_checks_agree(request, world, persona, visible, editable):
    user = request.getfixturevalue(persona)
    names = {v.pk: k for k, v in world.items()}
    assert {names[c.pk] for c in Customer.objects.visible_to(user)} == visible
    assert {names[c.pk] for c in Customer.objects.editable_by(user)} == editable
    for name, customer in world.items():
        assert customer.is_visible_to(user) is (name in visible)
        assert customer.is_editable_by(user) is (name in editable)
    contacts = {name: ContactFactory(customer=c) for name, c in world.items()}
    assert {n for n, c in contacts.items() if c in Contact.objects.visible_to(user)} == visible
    for name, contact in contacts.items():
        assert contact.is_visible_to(user) is (name in visible)


def test_a_user_without_a_team_who_is_not_a_director_sees_nothing(db, world):
    from tests.factories import UserFactory

    loose = UserFactory(username="nobody", role="director", team=None)
    loose.role = "rep"  # the database forbids saving this; code must still answer safely
    assert not Customer.objects.visible_to(loose).exists()
    assert not world["own"].is_visible_to(loose)


def test_the_database_insists_reps_and_managers_belong_to_a_team(db):
    from django.db import IntegrityError, transaction

    from tests.factories import UserFactory

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(username="floating", role="rep", team=None)


def test_team_overview_counts_each_teams_people_and_customers(
    db, team_a, team_b, rep, teammate, manager, other_rep, director
):
    from customers.selectors import team_overview_list
    from tests.factories import CustomerFactory

    for n in range(3):
        CustomerFactory(owner=rep, name=f"甲{n}", is_reviewed=n == 0)
    CustomerFactory(owner=other_rep, name="乙0", is_reviewed=True)
    rows = {t.name: (t.member_count, t.customer_count, t.unreviewed_count) for t in team_overview_list(user=director)}
    assert rows == {team_a.name: (3, 3, 2), team_b.name: (1, 1, 0)}
    assert [t.name for t in team_overview_list(user=manager)] == [team_a.name]
