import factory
from factory.django import DjangoModelFactory

from accounts.models import Team, User
from contacts.models import Contact, DecisionMakerProfile
from customers.models import Customer


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"销售{n}部")
    region = "华东"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"三{n}")
    role = User.Role.REP
    team = factory.SubFactory(TeamFactory)
    password = factory.django.Password("pw")


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"测试重工{n}有限公司")
    code = factory.Sequence(lambda n: f"C-{n:05d}")
    category = Customer.Category.IMPORTANT
    industry = Customer.Industry.MACHINERY
    owner = factory.SubFactory(UserFactory)
    team = factory.LazyAttribute(lambda o: o.owner.team)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    title = "设备部部长"
    owner = factory.LazyAttribute(lambda o: o.customer.owner)
    political_affiliation = "中共党员"
    family = "妻子为教师"


class DecisionMakerProfileFactory(DjangoModelFactory):
    class Meta:
        model = DecisionMakerProfile

    contact = factory.SubFactory(ContactFactory)
    spouse_name = "秘密配偶"
    filled_by = factory.LazyAttribute(lambda o: o.contact.owner)
