import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _l

from forecasting import anomalies, services
from forecasting.models import Anomaly, DealControlSettings
from forecasting.rollups import stage_stats_refresh, stall_norms
from pipeline import services as pipeline_services
from pipeline.models import BuyingCenterMember
from tests.factories import ContactFactory
from tests.forecasting.conftest import stay

pytestmark = pytest.mark.django_db
NOW = timezone.now


def detect():
    return anomalies.detect(norms=stall_norms())


def kinds(project=None):
    qs = Anomaly.objects.active()
    if project is not None:
        qs = qs.filter(project=project)
    return sorted(qs.values_list("kind", flat=True))


def ago(days):
    return NOW() - datetime.timedelta(days=days)


def test_stalled_against_twice_the_organisations_median(bare, rep):
    for days in (10, 10, 10, 10, 10):
        stay(bare(stage=4, status="lost", furthest=4), 4, at=ago(200), days=days, by=rep)
    stage_stats_refresh()
    stuck = bare(stage=4, entered_at=ago(21))
    moving = bare(stage=4, entered_at=ago(19))
    detect()
    assert kinds(stuck) == ["stalled"] and kinds(moving) == []
    anomaly = Anomaly.objects.get(project=stuck)
    assert anomaly.explanation == "在第 4 阶段已停留 21 天,超过常规的 20 天。"
    assert anomaly.since.date() == (ago(21) + datetime.timedelta(days=20)).date()


def test_stall_factor_is_a_setting(bare, rep):
    config = DealControlSettings.current()
    config.stall_factor = Decimal("3")
    config.save()
    for _ in range(5):
        stay(bare(stage=4, status="lost", furthest=4), 4, at=ago(200), days=10, by=rep)
    stage_stats_refresh()
    project = bare(stage=4, entered_at=ago(25))
    detect()
    assert kinds(project) == []


@pytest.mark.parametrize(
    ("ours", "theirs", "fires"),
    [(5, 3, True), (5, 4, False), (4, 5, True), (4, 4, False), (6, 2, True)],
)
def test_tracks_disagree_by_two_or_the_customer_ahead(bare, ours, theirs, fires):
    project = bare(stage=ours, customer_stage=theirs)
    detect()
    assert (kinds(project) == ["tracks_disagree"]) is fires


def test_close_date_pushed_three_times_through_the_service(make_project, rep):
    project = make_project()
    for i in range(3):
        project.expected_close_date += datetime.timedelta(days=30)
        pipeline_services.project_update(project=project, by=rep, changed_fields=["expected_close_date"])
        detect()
        assert (kinds(project) == ["close_date_pushed"]) is (i == 2)
    project.expected_close_date -= datetime.timedelta(days=10)  # pulling it in is not a push
    pipeline_services.project_update(project=project, by=rep, changed_fields=["expected_close_date"])
    project.refresh_from_db()
    assert project.close_date_pushes == 3


def test_close_date_in_the_past_while_open(bare):
    late = bare(close_date=timezone.localdate() - datetime.timedelta(days=1))
    today = bare(close_date=timezone.localdate())
    bare(status="lost", close_date=timezone.localdate() - datetime.timedelta(days=30))
    detect()
    assert kinds(late) == ["close_date_passed"] and kinds(today) == []
    assert kinds() == ["close_date_passed"]


def test_amount_cut_by_thirty_percent_or_more(make_project, rep):
    project = make_project(amount="1000000")
    project.amount = Decimal("710000")
    pipeline_services.project_update(project=project, by=rep, changed_fields=["amount"])
    detect()
    assert kinds(project) == []
    project.amount = Decimal("700000")
    pipeline_services.project_update(project=project, by=rep, changed_fields=["amount"])
    detect()
    assert kinds(project) == ["amount_cut"]
    assert "从 1,000,000 元降到 700,000 元,下调 30%" in Anomaly.objects.get(project=project).explanation


def test_gate_overridden(make_project, manager, rep, stage):
    overridden = make_project()
    pipeline_services.project_advance_stage(
        project=overridden, to_stage=stage(2), by=manager, override_reason="客户总经理口头确认"
    )
    detect()
    assert kinds(overridden) == ["gate_overridden"]
    assert "越过未满足的阶段条件推进到第 2 阶段,理由:客户总经理口头确认" in Anomaly.objects.get().explanation


def test_no_activity_for_fourteen_days(bare, make_project, rep):
    idle = bare(last_activity_at=ago(15))
    busy = bare(last_activity_at=ago(13))
    detect()
    assert kinds(idle) == ["no_activity"] and kinds(busy) == []
    # A form on the project is activity: it clears the anomaly on the next run.
    from demo.forms import demo_stage_form

    demo_stage_form("F05", project=idle, by=rep, status="draft")
    detect()
    assert kinds(idle) == []
    assert Anomaly.objects.get(project=idle).status == Anomaly.Status.CLEARED


@pytest.mark.parametrize(
    ("stage_number", "attitude", "closeness", "fires"),
    [
        (5, "opponent", "close", True),
        (5, "supporter", "none", True),
        (5, "supporter", "close", False),
        (4, "opponent", "close", False),
    ],
)
def test_decision_maker_opposed_or_not_contacted_from_stage_five(bare, stage_number, attitude, closeness, fires):
    project = bare(stage=stage_number)
    BuyingCenterMember.objects.create(
        project=project,
        contact=ContactFactory(customer=project.customer, name="顾长庚"),
        level="decision",
        department="user",
        role="decision_maker",
        attitude=attitude,
        closeness=closeness,
    )
    detect()
    assert (kinds(project) == ["decision_maker"]) is fires


@pytest.mark.parametrize("kind", ["spending", "behaviour", "low_credit", "churn"])
def test_f26_abnormal_customer_kinds(customer, rep, kind):
    from demo.forms import demo_stage_form

    draft = demo_stage_form("F26", customer=customer, by=rep, status="draft")
    draft.kind = kind
    draft.save()
    detect()
    assert kinds() == []  # a draft is not a report yet
    from forms_toolkit.services import stage_form_submit

    stage_form_submit(form=draft, by=rep)
    detect()
    anomaly = Anomaly.objects.get()
    assert (anomaly.kind, anomaly.customer, anomaly.project) == (kind, customer, None)
    assert draft.number in anomaly.explanation
    type(draft).objects.filter(pk=draft.pk).update(confirmed_normal=True)
    detect()
    assert kinds() == []


def test_detection_is_idempotent_and_keeps_a_managers_acknowledgement(bare, manager):
    project = bare(stage=5, customer_stage=2, last_activity_at=ago(30))
    detect()
    rows = list(Anomaly.objects.order_by("pk").values())
    anomaly = Anomaly.objects.get(kind="tracks_disagree")
    services.anomaly_acknowledge(anomaly=anomaly, by=manager, note="下周拜访客户")
    detect()
    detect()
    assert Anomaly.objects.count() == len(rows)
    anomaly.refresh_from_db()
    assert anomaly.status == Anomaly.Status.ACKNOWLEDGED and anomaly.acknowledge_note == "下周拜访客户"
    assert kinds(project) == ["no_activity", "tracks_disagree"]


def test_resolve_needs_a_note_and_a_manager_of_the_team(bare, rep, manager, other_manager, director):
    bare(stage=5, customer_stage=2)
    detect()
    anomaly = Anomaly.objects.get()
    with pytest.raises(PermissionDenied):
        services.anomaly_resolve(anomaly=anomaly, by=rep, note="已处理")
    with pytest.raises(PermissionDenied):
        services.anomaly_resolve(anomaly=anomaly, by=other_manager, note="已处理")
    with pytest.raises(ValidationError):
        services.anomaly_resolve(anomaly=anomaly, by=manager, note="  ")
    services.anomaly_resolve(anomaly=anomaly, by=director, note="客户确认采购进度,已同步")
    detect()
    anomaly.refresh_from_db()
    assert anomaly.status == Anomaly.Status.RESOLVED  # still true, but a resolved anomaly stays resolved


def test_project_change_refreshes_only_its_own_anomalies(bare, make_project, rep, django_capture_on_commit_callbacks):
    other = bare(stage=5, customer_stage=2)
    project = make_project()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline_services.project_observe_customer_stage(
            project=project, stage=project.stage.__class__.objects.get(number=3), by=rep
        )
    assert kinds(project) == ["tracks_disagree"]
    assert kinds(other) == []  # not touched until the next full run


def test_a_rule_is_declared_in_one_place(bare, manager, client, monkeypatch):
    """A new rule is one decorated finder: detection runs it, the kind has its name and its sentence,
    and the anomaly list offers it as a filter, with nothing else touched."""
    monkeypatch.setattr(anomalies.rules, "_entries", dict(anomalies.rules._entries))
    big = bare(stage=2, amount=Decimal("90000000"))

    @anomalies.rule(huge=_l("金额特别大"), explain=lambda d, *, now, anomaly: f"金额 {d['amount']}")
    def huge(projects, *, config, norms, now):
        for row in projects.filter(amount_cny__gte=50_000_000).values(*anomalies.PROJECT_FIELDS, "amount_cny"):
            yield anomalies._hit(row, f"huge:{row['pk']}", "huge", "high", details={"amount": str(row["amount_cny"])})

    detect()
    anomaly = Anomaly.objects.get(project=big, kind="huge")
    assert anomaly.get_kind_display() == "金额特别大" and anomalies.explain(anomaly).startswith("金额 9")
    client.force_login(manager)
    page = client.get("/control/anomalies/", {"kind": "huge"})
    assert page.status_code == 200 and "金额特别大" in page.text


def test_registries_replace_an_entry_registered_twice():
    from core.registry import Registry

    hooks: Registry = Registry("test")
    first = hooks.register(lambda: 1, key="a")
    hooks.register(lambda: 2, key="a")
    hooks.register(first)
    assert len(hooks) == 2 and hooks["a"]() == 2
    with pytest.raises(LookupError):
        hooks["missing"]


def test_a_registry_lists_its_entries_by_key_for_pages_that_place_their_panels():
    from core.registry import Registry

    panels: Registry = Registry("test")
    panels.register("projects", key=(20, "pipeline"))
    panels.register("contacts", key=(10, "contacts"))
    assert panels.by_key() == ["contacts", "projects"] and list(panels) == ["projects", "contacts"]
