"""Every URL crossed with every persona: who reads, who writes, who must not learn a record exists."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

PERSONAS = ["rep", "teammate", "manager", "other_rep", "other_manager", "director", "admin_user"]
ALL = [200] * 7

# Every URL pattern the resolver knows (the admin's below), in one matrix:
# "name" or "name|variant": (method, object, expected status per persona in PERSONAS order).
# The objects belong to `rep` in team A; a bare POST is enough to show who may write (those who
# may get a 302 or the form back with its errors, 200).
MATRIX = {
    "home": ("get", None, ALL),
    "login": ("get", None, [302] * 7),  # signed in already: sent on
    "logout": ("post", None, [302] * 7),
    "password_change": ("get", None, ALL),
    "password_change_done": ("get", None, ALL),
    "set_language": ("post", None, [302] * 7),
    "signature": ("get", None, ALL),
    "signature|post": ("post", None, [400] * 7),  # 400: nothing drawn
    "customers:list": ("get", None, ALL),
    "customers:create": ("get", None, ALL),
    "customers:options": ("get", None, ALL),
    "customers:detail": ("get", "customer", [200, 200, 200, 404, 404, 200, 200]),
    "customers:update": ("get", "customer", [200, 403, 200, 404, 404, 200, 200]),
    "customers:update|post": ("post", "customer", [200, 403, 200, 404, 404, 200, 200]),
    "customers:review": ("post", "customer", [403, 403, 302, 404, 404, 302, 302]),
    "customers:merge": ("get", "customer", [403, 403, 200, 404, 404, 200, 200]),  # the team's manager
    "customers:merge|post": ("post", "customer", [403, 403, 200, 404, 404, 200, 200]),  # nothing chosen
    "contacts:list": ("get", None, ALL),
    "contacts:create": ("get", None, ALL),
    "contacts:detail": ("get", "contact", [200, 200, 200, 404, 404, 200, 200]),
    "contacts:update": ("get", "contact", [200, 403, 200, 404, 404, 200, 200]),
    "contacts:update|post": ("post", "contact", [200, 403, 200, 404, 404, 200, 200]),
    "contacts:review": ("post", "contact", [403, 403, 302, 404, 404, 302, 302]),
    "contacts:profile": ("get", "contact", [200, 403, 200, 404, 404, 200, 200]),
    "contacts:profile|post": ("post", "contact", [302, 403, 302, 404, 404, 302, 302]),
    "pipeline:project-list": ("get", None, ALL),
    "pipeline:project-create": ("get", None, ALL),
    "pipeline:board": ("get", None, ALL),
    "pipeline:my-day": ("get", None, ALL),
    "pipeline:case-list": ("get", None, ALL),
    "pipeline:case-detail": ("get", "won", ALL),  # won projects are every rep's to learn from
    "pipeline:case-detail|open": ("get", "project", [404] * 7),  # an open one is not a case
    "pipeline:task-toggle": ("post", "task", [302, 403, 302, 404, 404, 302, 302]),
    "pipeline:project-detail": ("get", "project", [200, 200, 200, 404, 404, 200, 200]),
    "pipeline:project-section|control": ("get", "project", [200, 200, 200, 404, 404, 200, 200]),
    "pipeline:project-section|people": ("get", "project", [200, 200, 200, 404, 404, 200, 200]),
    "pipeline:project-section|paperwork": ("get", "project", [200, 200, 200, 404, 404, 200, 200]),
    "pipeline:project-section|history": ("get", "project", [200, 200, 200, 404, 404, 200, 200]),
    "pipeline:project-update": ("get", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:project-advance": ("get", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:project-step-back": ("get", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:project-close": ("get", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:project-reopen": ("post", "project", [200, 403, 200, 404, 404, 200, 200]),  # refused: it is open
    "pipeline:project-customer-stage": ("get", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:board-move": ("post", "project", [404, 403, 404, 404, 404, 404, 404]),  # 404: no stage given
    "pipeline:condition-toggle": ("post", "condition", [302, 403, 302, 404, 404, 302, 302]),
    "pipeline:member-add": ("post", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:member-remove": ("post", "member", [302, 403, 302, 404, 404, 302, 302]),
    "pipeline:buying-center": ("get", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:procurement-map": ("get", "project", [200, 403, 200, 404, 404, 200, 200]),
    "pipeline:task-create": ("post", "project", [200, 403, 200, 404, 404, 200, 200]),
    "forms_toolkit:list": ("get", None, ALL),
    "forms_toolkit:queue": ("get", None, [403, 403, 200, 403, 200, 200, 200]),
    "forms_toolkit:create": ("get", "new_form", [200, 403, 200, 404, 404, 200, 200]),
    "forms_toolkit:create|customer": ("get", "new_customer_form", [200, 403, 200, 404, 404, 200, 200]),
    "forms_toolkit:detail": ("get", "draft", [200, 200, 200, 404, 404, 200, 200]),
    "forms_toolkit:update": ("get", "draft", [200, 403, 200, 404, 404, 200, 200]),
    "forms_toolkit:submit": ("post", "draft", [302, 403, 302, 404, 404, 302, 302]),
    "forms_toolkit:decide": ("post", "submitted", [403, 403, 302, 404, 404, 302, 302]),
    "forms_toolkit:pdf": ("get", "draft", [200, 200, 200, 404, 404, 200, 200]),
    "attachments:project": ("get", "project", [200, 200, 200, 404, 404, 200, 200]),
    "attachments:project|post": ("post", "project", [400, 403, 400, 404, 404, 400, 400]),  # 400: no file sent
    "attachments:customer": ("get", "customer", [200, 200, 200, 404, 404, 200, 200]),
    "attachments:customer|post": ("post", "customer", [400, 403, 400, 404, 404, 400, 400]),
    "attachments:form": ("get", "draft", [200, 200, 200, 404, 404, 200, 200]),
    "attachments:form|post": ("post", "draft", [400, 403, 400, 404, 404, 400, 400]),
    "attachments:download": ("get", "attachment", [200, 200, 200, 404, 404, 200, 200]),
    "attachments:thumbnail": ("get", "attachment", [200, 200, 200, 404, 404, 200, 200]),
    "attachments:remove": ("post", "attachment", [302, 403, 302, 404, 404, 302, 302]),
    "forecasting:dashboard": ("get", None, [302] * 7),  # on to the team's or the company's view
    "forecasting:company": ("get", None, [403, 403, 403, 403, 403, 200, 200]),
    "forecasting:team": ("get", "team", [404, 404, 200, 404, 404, 200, 200]),
    "forecasting:scorecard": ("get", "owner", [200, 404, 200, 404, 404, 200, 200]),
    "forecasting:forecast": ("get", None, ALL),
    "forecasting:targets": ("get", None, [403, 403, 200, 403, 200, 200, 200]),
    "forecasting:anomaly-list": ("get", None, ALL),
    "forecasting:anomaly-detail": ("get", "anomaly", [200, 200, 200, 404, 404, 200, 200]),
    "forecasting:calibration": ("get", None, [403, 403, 200, 403, 200, 200, 200]),
    "forecasting:project-category": ("post", "project", [200, 403, 200, 404, 404, 200, 200]),
    "forecasting:project-category|adjust": ("post-adjust", "project", [403, 403, 302, 404, 404, 302, 302]),
    "forecasting:recompute": ("post", None, [403, 403, 302, 403, 302, 302, 302]),
    "forms_toolkit:checkin": ("post", None, [400] * 7),  # 400: no outcome sent
    "forms_toolkit:checkin-photo": ("get", "checkin", [200, 200, 200, 404, 404, 200, 200]),
    "notifications:list": ("get", None, ALL),
    "notifications:bell": ("get", None, ALL),
    "notifications:read": ("post", None, [302] * 7),  # each marks their own
    "notifications:open": ("get", "notification", [302, 404, 404, 404, 404, 404, 404]),  # the recipient's only
    "notifications:settings": ("get", None, ALL),
    "notifications:settings|post": ("post", None, ALL),  # nothing chosen: the page again
    # the team's robot: its manager removes it; the team sees it; nobody else learns it exists
    "notifications:robot-remove": ("post", "robot", [403, 403, 302, 404, 404, 404, 404]),
    "agenda:week": ("get", None, ALL),
    "agenda:month": ("get", None, ALL),
    "agenda:settings": ("get", None, ALL),
    "agenda:feed-issue": ("post", None, [302] * 7),
    "agenda:feed-revoke": ("post", None, [302] * 7),
    "agenda:feed": ("get", "feed", ALL),  # the secret address is the key (a calendar app cannot log in)
    "pipeline:task-list": ("get", None, ALL),  # each sees their scope's tasks
    "imports:list": ("get", None, ALL),
    "imports:create": ("get", None, ALL),
    "imports:create|post": ("post", None, ALL),  # no file: the form again, with the error
    "imports:template": ("get", "import_kind", ALL),
    # rep's upload: the team reads it; only the one who brought it drives it; other teams never see it
    "imports:detail": ("get", "import", [200, 200, 200, 404, 404, 200, 200]),
    "imports:progress": ("get", "import", [200, 200, 200, 404, 404, 200, 200]),
    "imports:refused": ("get", "import", [200, 200, 200, 404, 404, 200, 200]),
    "imports:map": ("post", "import", [400, 404, 404, 404, 404, 404, 404]),  # 400: no column chosen
    "imports:remap": ("post", "import", [302, 404, 404, 404, 404, 404, 404]),
    "imports:confirm": ("post", "import", [302, 404, 404, 404, 404, 404, 404]),
    "imports:cancel": ("post", "import", [302, 404, 404, 404, 404, 404, 404]),
    "imports:undo": ("post", "import", [302, 404, 404, 404, 404, 404, 404]),
}


def _patterns(patterns=None, namespace=""):
    from django.urls import URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _patterns(pattern.url_patterns, inner or namespace)
        else:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_pattern_has_a_row():
    known = {name for name in _patterns() if not (name or "").startswith("admin")}
    rows = {name.partition("|")[0] for name in MATRIX}
    assert known - rows == set(), "URL patterns without a row in the permission matrix"
    assert rows - known == set(), "rows for URL patterns that no longer exist"


@pytest.fixture
def world(rep, teammate, customer, contact, project, manager, admin_user, stage):
    from agenda.services import feed_issue
    from attachments.services import attachments_add
    from demo.forms import demo_stage_form
    from forecasting.models import Anomaly
    from forms_toolkit.checkins import visit_checkin_record
    from notifications.models import Notification, Robot
    from pipeline.models import ProjectMember, Task
    from tests.attachments.files import png_bytes, upload
    from tests.factories import UserFactory
    from tests.forecasting.conftest import bare_project

    # a won project, written straight to the table (the gates are not what this test is about)
    won = bare_project(owner=rep, customer=customer, stage=8, status="won")
    condition = next(c for c in stage(1).conditions.all() if c.kind == "checklist")
    photo = upload("site.png", png_bytes())
    attachment = attachments_add(
        record_field="project", record=project, uploads=[photo], kind="photo", caption="", by=rep
    )[0]
    now = timezone.now()
    draft = demo_stage_form("F05", project=project, by=rep, status="draft")
    checkin = visit_checkin_record(
        by=rep,
        outcome="located",
        latitude=Decimal("31.2304"),
        longitude=Decimal("121.4737"),
        accuracy=20,
        photo=upload("arrived.png", png_bytes()),
    )
    draft.checkin = checkin
    draft.save()
    robot = Robot.objects.create(
        kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", team=rep.team, created_by=manager
    )
    notification = Notification.objects.create(recipient=rep, event="member", key="k", title="t", url="/")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.services import import_upload

    upload_run = import_upload(
        kind="customers", upload=SimpleUploadedFile("a.csv", "企业名称,企业标识/编号\n甲,A-1\n".encode()), by=rep
    )
    return {
        "import": upload_run.pk,
        "import_kind": ("customers",),
        "checkin": checkin.pk,
        "robot": robot.pk,
        "notification": notification.pk,
        "feed": feed_issue(user=rep).token,
        "customer": customer.pk,
        "contact": contact.pk,
        "project": project.pk,
        "won": won.pk,
        "task": Task.objects.filter(project=project).first().pk,
        "condition": (project.pk, condition.pk),
        "member": (
            project.pk,
            ProjectMember.objects.create(
                project=project, user=UserFactory(username="eve", team=rep.team), role="engineer"
            ).pk,
        ),
        "new_form": ("F05", f"?project={project.pk}"),
        "new_customer_form": ("F07", f"?customer={customer.pk}"),
        "draft": ("F05", draft.pk),
        "submitted": ("F12", demo_stage_form("F12", project=project, by=rep, status="submitted").pk),
        "team": rep.team_id,
        "owner": rep.pk,
        "attachment": attachment.pk,
        "anomaly": Anomaly.objects.create(
            key="test-stalled",
            kind="stalled",
            severity="high",
            project=project,
            customer=customer,
            team=project.team,
            owner=rep,
            since=now,
            detected_at=now,
            details={"stage": 1, "entered": now.isoformat(), "norm": 20},
        ).pk,
    }


def _url(name: str, kind, world) -> str:
    name, _bar, variant = name.partition("|")
    if name == "pipeline:project-section":
        return reverse(name, args=[world["project"], variant])
    if kind is None:
        return reverse(name)
    value = world[kind]
    if kind in {"new_form", "new_customer_form"}:
        return reverse(name, args=[value[0]]) + value[1]
    return reverse(name, args=list(value) if isinstance(value, tuple) else [value])


@pytest.mark.parametrize(
    ("row", "persona"), [pytest.param(row, p, id=f"{row}-{p}") for row in MATRIX for p in PERSONAS]
)
def test_each_url_answers_each_persona_as_the_matrix_says(request, client, world, row, persona):
    method, kind, expected = MATRIX[row]
    client.force_login(request.getfixturevalue(persona))
    url = _url(row, kind, world)
    if method == "get":
        response = client.get(url)
    else:
        response = client.post(url, {"adjust": "1"} if method == "post-adjust" else {})
    assert response.status_code == expected[PERSONAS.index(persona)], url


@pytest.mark.parametrize("persona", ["rep", "manager", "director"])
def test_the_admin_is_for_staff_only(client, request, persona, admin_user):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response.url
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize(
    "url", ["/", "/customers/", "/customers/1/", "/contacts/", "/contacts/1/edit/", "/notifications/", "/calendar/"]
)
def test_it_sends_anonymous_users_to_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_hides_other_teams_rows_from_lists(client, customer, contact, other_rep):
    client.force_login(other_rep)
    assert customer.name not in client.get(reverse("customers:list")).content.decode()
    assert contact.name not in client.get(reverse("contacts:list")).content.decode()


def test_it_answers_404_for_other_teams_customer_in_contact_create(client, customer, other_rep):
    client.force_login(other_rep)
    assert client.get(reverse("contacts:create"), {"customer": customer.pk}).status_code == 404
    assert client.get(reverse("contacts:create"), {"customer": "abc"}).status_code == 404


def test_it_refuses_a_contact_for_another_teams_customer(client, customer, other_rep):
    client.force_login(other_rep)
    response = client.post(reverse("contacts:create"), {"customer": customer.pk, "name": "间谍"})
    assert response.status_code == 200
    assert "customer" in response.context["form"].errors
    assert not customer.contacts.filter(name="间谍").exists()


def test_a_project_team_member_from_another_team_reads_and_edits_it(client, project, other_rep):
    from pipeline.models import ProjectMember

    ProjectMember.objects.create(project=project, user=other_rep, role="engineer")
    client.force_login(other_rep)
    assert client.get(reverse("pipeline:project-detail", args=[project.pk])).status_code == 200
    assert client.get(reverse("pipeline:project-update", args=[project.pk])).status_code == 200
    assert project.name in client.get(reverse("pipeline:project-list")).content.decode()
    assert client.get(reverse("customers:detail", args=[project.customer_id])).status_code == 404


def test_other_teams_projects_stay_off_lists_and_the_board(client, project, other_rep):
    client.force_login(other_rep)
    assert project.name not in client.get(reverse("pipeline:project-list")).content.decode()
    assert project.name not in client.get(reverse("pipeline:board")).content.decode()
