import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import User
from pipeline import services as pipeline_services
from pipeline.models import Project, StageDefinition
from tests.factories import ContactFactory, CustomerFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    cache.clear()  # the cached catalog and sessions must not outlive the test's rolled-back rows
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads land in the test's own folder


@pytest.fixture
def team_a(db):
    return TeamFactory(name="华东一部")


@pytest.fixture
def team_b(db):
    return TeamFactory(name="华北二部")


@pytest.fixture
def rep(team_a):
    return UserFactory(username="alice", role=User.Role.REP, team=team_a)


@pytest.fixture
def teammate(team_a):
    return UserFactory(username="amy", role=User.Role.REP, team=team_a)


@pytest.fixture
def manager(team_a):
    return UserFactory(username="bob", role=User.Role.MANAGER, team=team_a)


@pytest.fixture
def other_rep(team_b):
    return UserFactory(username="charlie", role=User.Role.REP, team=team_b)


@pytest.fixture
def other_manager(team_b):
    return UserFactory(username="carol", role=User.Role.MANAGER, team=team_b)


@pytest.fixture
def director(db):
    return UserFactory(username="dora", role=User.Role.DIRECTOR, team=None)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", role=User.Role.ADMIN, team=None, is_staff=True, is_superuser=True)


@pytest.fixture
def customer(rep):
    return CustomerFactory(owner=rep, name="江南重型机械股份有限公司", code="JN-0001")


@pytest.fixture
def contact(customer):
    return ContactFactory(customer=customer, name="顾长庚", title="董事长")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def stage(db):
    return lambda n: StageDefinition.objects.get(number=n)


@pytest.fixture
def make_project(rep, customer):
    def make(*, owner=None, by=None, amount="1000000", name="桥式起重机改造", customer_=None) -> Project:
        owner = owner or rep
        return pipeline_services.project_create(
            project=Project(
                customer=customer_ or customer,
                name=name,
                owner=owner,
                amount=Decimal(amount),
                expected_close_date=timezone.localdate() + datetime.timedelta(days=90),
            ),
            by=by or owner,
        )

    return make


@pytest.fixture
def project(make_project):
    return make_project()
