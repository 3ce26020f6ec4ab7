import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from forecasting.models import Anomaly, ProjectForecast, SalesTarget
from forecasting.refresh import refresh_all
from pipeline.models import Project, StageDefinition

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(bare, rep, teammate, manager, other_rep, other_manager, director):
    bare(stage=2, amount="1000000", customer_stage=1)
    bare(owner=teammate, stage=5, amount="3000000", customer_stage=2)
    bare(stage=8, status="won", amount="500000")
    from tests.factories import CustomerFactory

    bare(owner=other_rep, customer=CustomerFactory(owner=other_rep), stage=3, customer_stage=1)
    refresh_all()


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("rep", "dashboard", 302),
        ("rep", "company", 403),
        ("rep", "own-team", 404),
        ("rep", "own-scorecard", 200),
        ("rep", "teammate-scorecard", 404),
        ("rep", "calibration", 403),
        ("rep", "targets", 403),
        ("rep", "forecast", 200),
        ("manager", "own-team", 200),
        ("manager", "other-team", 404),
        ("manager", "teammate-scorecard", 200),
        ("manager", "other-scorecard", 404),
        ("manager", "calibration", 200),
        ("other_manager", "own-team", 404),
        ("director", "company", 200),
        ("director", "own-team", 200),
        ("director", "other-scorecard", 200),
    ],
)
def test_who_sees_which_dashboard(world, client_for, request, who, url, status, rep, teammate, other_rep):
    user = request.getfixturevalue(who)
    urls = {
        "dashboard": reverse("forecasting:dashboard"),
        "company": reverse("forecasting:company"),
        "own-team": reverse("forecasting:team", args=[rep.team_id]),
        "other-team": reverse("forecasting:team", args=[other_rep.team_id]),
        "own-scorecard": reverse("forecasting:scorecard", args=[user.pk]),
        "teammate-scorecard": reverse("forecasting:scorecard", args=[teammate.pk]),
        "other-scorecard": reverse("forecasting:scorecard", args=[other_rep.pk]),
        "calibration": reverse("forecasting:calibration"),
        "targets": reverse("forecasting:targets"),
        "forecast": reverse("forecasting:forecast"),
    }
    assert client_for(user).get(urls[url]).status_code == status


def test_team_dashboard_shows_funnel_forecast_anomalies_and_reps(world, client_for, manager, rep):
    response = client_for(manager).get(reverse("forecasting:team", args=[rep.team_id]))
    page = response.content.decode()
    for words in ("销售漏斗", "销售预测与目标", "未解决的异常情况", "销售人员对比", rep.display_name, "4,000,000"):
        assert words in page, words
    assert "双轨不一致" in page  # the teammate's project runs three stages ahead of its customer


def test_another_teams_numbers_never_reach_a_manager(world, client_for, manager, other_rep):
    page = client_for(manager).get(reverse("forecasting:forecast")).content.decode()
    assert other_rep.display_name not in page
    anomalies = client_for(manager).get(reverse("forecasting:anomaly-list")).content.decode()
    assert "项目3" not in anomalies  # the other team's stage-3 project
    other = Anomaly.objects.get(owner=other_rep)
    assert client_for(manager).get(other.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_table_exports_its_numbers(world, client_for, director, fmt):
    response = client_for(director).get(reverse("forecasting:company"), {"export": "funnel", "format": fmt})
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["阶段", "项目数", "金额", "加权金额"]
    assert rows[2][0].startswith("2.") and float(rows[2][2]) == 1000000
    assert rows[-1][0] == "合计" and float(rows[-1][1]) == 3
    assert client_for(director).get(reverse("forecasting:company"), {"export": "nope"}).status_code == 404


def _count_queries(client, url):
    client.get(url)  # the session, stage catalog and people are cached from then on
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_dashboard_queries_are_the_same_for_10_and_10000_projects(
    rep, teammate, manager, director, customer, client_for
):
    stages = list(StageDefinition.objects.order_by("number"))
    now = timezone.now()

    def add(n, start):
        Project.objects.bulk_create(
            [
                Project(
                    number=f"B-{start + i:07d}",
                    customer=customer,
                    name=f"批量项目{i}",
                    owner=(rep, teammate)[i % 2],
                    team_id=rep.team_id,
                    amount=Decimal(100000 + i),
                    amount_cny=Decimal(100000 + i),
                    expected_close_date=timezone.localdate() + datetime.timedelta(days=i % 300),
                    stage=stages[i % 8],
                    stage_entered_at=now,
                    customer_stage=stages[max(i % 8 - i % 3, 0)],
                    customer_stage_observed_on=timezone.localdate(),
                    win_probability=stages[i % 8].default_probability,
                    status=("open", "open", "won", "lost")[i % 4],
                    lost_reason="price" if i % 4 == 3 else "",
                    closed_at=now if i % 4 >= 2 else None,
                    furthest_stage_number=i % 8 + 1,
                    last_activity_at=now,
                )
                for i in range(n)
            ],
            batch_size=1000,
        )
        refresh_all()

    urls = {
        "team": (manager, reverse("forecasting:team", args=[rep.team_id])),
        "company": (director, reverse("forecasting:company")),
        "scorecard": (manager, reverse("forecasting:scorecard", args=[rep.pk])),
        "forecast": (manager, reverse("forecasting:forecast")),
        "calibration": (manager, reverse("forecasting:calibration")),
    }
    add(10, 0)
    small = {name: _count_queries(client_for(user), url) for name, (user, url) in urls.items()}
    add(9990, 10)
    assert Project.objects.count() == 10000
    large = {name: _count_queries(client_for(user), url) for name, (user, url) in urls.items()}
    assert small == large
    assert large == {"team": 8, "company": 8, "scorecard": 7, "forecast": 7, "calibration": 4}


def test_rep_sets_a_category_and_the_manager_adjusts_with_a_note(project, client_for, rep, manager):
    url = reverse("forecasting:project-category", args=[project.pk])
    client_for(rep).post(url, {"category": "best_case"})
    forecast = ProjectForecast.objects.get(project=project)
    assert (forecast.rep_category, forecast.category) == ("best_case", "best_case")

    response = client_for(manager).post(url, {"adjust": "1", "category": "commit", "note": ""})
    # Refused in place: the panel again with the choice kept (never carried in the address).
    assert response.status_code == 200
    assert "调整预测类别请写明理由" in response.content.decode()
    assert '<option value="commit" selected>' in response.content.decode()
    client_for(manager).post(url, {"adjust": "1", "category": "commit", "note": "客户已下采购订单"})
    forecast.refresh_from_db()
    assert (forecast.rep_category, forecast.manager_category, forecast.category) == ("best_case", "commit", "commit")
    assert forecast.manager_note == "客户已下采购订单" and forecast.history.count() == 2

    client_for(rep).post(url, {"adjust": "1", "category": "omitted", "note": "我来调"})
    forecast.refresh_from_db()
    assert forecast.manager_category == "commit"  # a rep cannot adjust as a manager

    page = client_for(manager).get(reverse("pipeline:project-section", args=[project.pk, "control"])).content.decode()
    assert "客户已下采购订单" in page and "赢率" in page


def test_category_of_another_teams_project_is_404(project, client_for, other_rep):
    url = reverse("forecasting:project-category", args=[project.pk])
    assert client_for(other_rep).post(url, {"category": "commit"}).status_code == 404


def test_targets_are_saved_per_rep_and_team_and_bad_input_is_kept(client_for, manager, rep):
    url = reverse("forecasting:targets")
    month = timezone.localdate().replace(day=1)
    response = client_for(manager).post(
        url, {"team": rep.team_id, "month": f"{month:%Y-%m}", "team_amount": "abc", f"rep_{rep.pk}": "-5"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="abc"' in page and 'value="-5"' in page and "数字" in page
    assert not SalesTarget.objects.exists()
    client_for(manager).post(
        url, {"team": rep.team_id, "month": f"{month:%Y-%m}", "team_amount": "5000000", f"rep_{rep.pk}": "2000000"}
    )
    assert sorted(SalesTarget.objects.values_list("owner_id", "amount"), key=str) == sorted(
        [(None, Decimal("5000000.00")), (rep.pk, Decimal("2000000.00"))], key=str
    )


def test_targets_of_another_team_are_out_of_reach(client_for, manager, other_rep):
    response = client_for(manager).get(reverse("forecasting:targets"), {"team": other_rep.team_id})
    assert response.status_code == 404


def test_anomaly_resolved_from_its_page_with_a_note(world, client_for, manager, teammate):
    anomaly = Anomaly.objects.filter(owner=teammate).first()
    url = anomaly.get_absolute_url()
    response = client_for(manager).post(url, {"action": "resolve", "note": ""})
    assert response.status_code == 200 and "请写明处理结果" in response.content.decode()
    client_for(manager).post(url, {"action": "resolve", "note": "已与客户对齐采购时间表"})
    anomaly.refresh_from_db()
    assert anomaly.status == "resolved" and anomaly.resolved_by == manager


def test_a_rep_reads_but_cannot_resolve_an_anomaly(world, client_for, rep, teammate):
    anomaly = Anomaly.objects.filter(owner=teammate).first()
    assert client_for(rep).get(anomaly.get_absolute_url()).status_code == 200
    response = client_for(rep).post(anomaly.get_absolute_url(), {"action": "resolve", "note": "x"})
    assert response.status_code == 403


def test_calibration_page_shows_the_forward_backtest_against_the_baselines(world, client_for, manager):
    page = client_for(manager).get(reverse("forecasting:calibration")).content.decode()
    assert "尚未运行向前回测" in page
    from forecasting.refresh import backtest_and_refit

    result = backtest_and_refit()
    page = client_for(manager).get(reverse("forecasting:calibration")).content.decode()
    assert "布里尔分数" in page and "阶段默认赢率" in page and "阶段实际赢率" in page
    assert "逐月回测" in page and result.months[0][:7] in page and result.months[-1][:7] in page


def test_recompute_is_for_managers(client_for, rep, manager):
    assert client_for(rep).post(reverse("forecasting:recompute")).status_code == 403
    response = client_for(manager).post(reverse("forecasting:recompute"), {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("forecasting:dashboard")


def test_admins_edit_the_thresholds_in_the_admin(client_for, admin_user):
    from forecasting.models import DealControlSettings

    client = client_for(admin_user)
    assert client.get("/admin/forecasting/dealcontrolsettings/").status_code == 200
    settings_row = DealControlSettings.current()
    url = f"/admin/forecasting/dealcontrolsettings/{settings_row.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "停滞倍数" in page.content.decode()
    data = {
        "learning_min_closed": 40,
        "smoothing_strength": 20,
        "stall_factor": "2.5",
        "stall_fallback_days": 30,
        "stage_gap": 2,
        "close_date_pushes": 3,
        "amount_cut_percent": 30,
        "idle_days": 21,
        "decision_maker_stage": 5,
        "form_on_time_days": 3,
    }
    assert client.post(url, data).status_code == 302
    settings_row.refresh_from_db()
    assert (settings_row.idle_days, settings_row.stall_factor) == (21, Decimal("2.5"))


def test_an_unknown_anomaly_action_is_refused_with_a_message(world, client_for, manager, teammate):
    anomaly = Anomaly.objects.filter(owner=teammate).first()
    response = client_for(manager).post(anomaly.get_absolute_url(), {"action": "bogus", "note": "我的说明"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "请选择“标记已知悉”或“标记已解决”" in page and "我的说明" in page
    anomaly.refresh_from_db()
    assert anomaly.status == "open"


def test_a_long_refused_forecast_note_comes_back_on_the_page_not_in_the_address(world, client_for, manager, teammate):
    project = Project.objects.filter(owner=teammate).first()
    note = "客户预算" * 4000  # 16,000 characters
    url = reverse("forecasting:project-category", args=[project.pk])
    response = client_for(manager).post(url, {"adjust": "1", "category": "bogus", "note": note})
    assert response.status_code == 200
    page = response.content.decode()
    assert note in page and "没有保存" in page


def test_a_long_forecast_note_is_saved(world, client_for, manager, teammate):
    project = Project.objects.filter(owner=teammate).first()
    note = "客户预算" * 4000
    url = reverse("forecasting:project-category", args=[project.pk])
    response = client_for(manager).post(url, {"adjust": "1", "category": "commit", "note": note})
    assert response.status_code == 302 and "?" not in response["Location"]
    assert ProjectForecast.objects.get(project=project).manager_note == note
