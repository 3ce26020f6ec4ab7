"""拜访签到 on F05: what the browser reported is kept (a position with its accuracy, or that there was
none), tied to the report when it is saved, shown on the form and its PDF, and counted apart on the
scorecard. Nothing about it ever stops a report from being saved."""

import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from demo.forms import demo_stage_form
from forecasting import rollups
from forecasting.models import RepMonth
from forms_toolkit.checkins import visit_checkin_record
from forms_toolkit.models import FormRecord, VisitCheckin, VisitReport
from tests.attachments.files import png_bytes, upload

HERE = {"outcome": "located", "latitude": "31.230416", "longitude": "121.473701", "accuracy": "23.6"}


def _new_report(client, project, **extra):
    url = reverse("forms_toolkit:create", args=["F05"]) + f"?project={project.pk}"
    data = {"filled_on": "2026-12-03", "visit_stage": project.stage_id, "visitee": "设备部李部长", **extra}
    for prefix in ("findings", "commitments"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return client.post(url, data)


def test_a_located_checkin_is_kept_with_the_servers_time_and_tied_to_the_report(client, rep, project):
    client.force_login(rep)
    response = client.post(reverse("forms_toolkit:checkin"), HERE | {"photo": upload("site.png", png_bytes())})
    assert response.status_code == 201
    checkin = VisitCheckin.objects.get()
    assert (checkin.latitude, checkin.longitude, checkin.accuracy_m) == (
        Decimal("31.230416"),
        Decimal("121.473701"),
        24,
    )
    assert checkin.by == rep and checkin.photo and checkin.photo_type == "image/png"
    assert f'data-checkin-id="{checkin.pk}"' in response.content.decode()
    assert "31.230416°N 121.473701°E (±24 m)" in response.content.decode()

    assert _new_report(client, project, checkin=checkin.pk).status_code == 302
    report = VisitReport.objects.get()
    assert report.checkin == checkin and report.checked_in
    assert FormRecord.objects.get(form_code="F05").checked_in
    page = client.get(report.get_absolute_url()).content.decode()
    assert "拜访签到" in page and "31.230416°N 121.473701°E (±24 m)" in page
    assert reverse("forms_toolkit:checkin-photo", args=[checkin.pk]) in page
    assert client.get(reverse("forms_toolkit:checkin-photo", args=[checkin.pk]))["Content-Type"] == "image/png"


@pytest.mark.parametrize("outcome", ["denied", "unavailable"])
def test_a_refused_or_unavailable_location_is_recorded_and_the_report_still_saves(client, rep, project, outcome):
    client.force_login(rep)
    response = client.post(reverse("forms_toolkit:checkin"), {"outcome": outcome, "detail": "User denied Geolocation"})
    assert response.status_code == 201
    checkin = VisitCheckin.objects.get()
    assert checkin.outcome == outcome and checkin.latitude is None
    assert _new_report(client, project, checkin=checkin.pk).status_code == 302
    report = VisitReport.objects.get()
    assert report.checkin == checkin and not report.checked_in
    assert not FormRecord.objects.get(form_code="F05").checked_in
    assert "没有位置" in client.get(report.get_absolute_url()).content.decode()


def test_a_report_without_a_checkin_says_it_was_typed(client, rep, project):
    client.force_login(rep)
    assert _new_report(client, project).status_code == 302
    assert "未签到(手工填写)" in client.get(VisitReport.objects.get().get_absolute_url()).content.decode()


def test_someone_elses_checkin_is_refused_and_what_was_typed_is_kept(client, rep, teammate, project):
    theirs = visit_checkin_record(by=teammate, outcome="located", latitude=Decimal(31), longitude=Decimal(121))
    client.force_login(rep)
    response = _new_report(client, project, checkin=theirs.pk)
    assert response.status_code == 200 and not VisitReport.objects.exists()
    page = response.content.decode()
    assert "这次签到已过期或属于另一份报告" in page and "设备部李部长" in page


def test_bad_positions_and_disguised_photos_are_refused_in_chinese(client, rep):
    client.force_login(rep)
    response = client.post(reverse("forms_toolkit:checkin"), HERE | {"latitude": "131"})
    assert response.status_code == 400 and "签到没有记录" in response.content.decode()
    response = client.post(reverse("forms_toolkit:checkin"), {"outcome": "located"})
    assert response.status_code == 400 and "位置不完整" in response.content.decode()
    svg = upload("site.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    response = client.post(reverse("forms_toolkit:checkin"), HERE | {"photo": svg})
    assert response.status_code == 400 and "内容与其文件类型不符" in response.content.decode()
    pdf = upload("plan.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    response = client.post(reverse("forms_toolkit:checkin"), HERE | {"photo": pdf})
    assert response.status_code == 400 and "只能是图片" in response.content.decode()
    assert not VisitCheckin.objects.exists()


def test_the_photo_is_for_the_report_readers_only(client, rep, other_rep, project):
    checkin = visit_checkin_record(
        by=rep, outcome="located", latitude=Decimal(31), longitude=Decimal(121), photo=upload("a.png", png_bytes())
    )
    client.force_login(other_rep)
    assert client.get(reverse("forms_toolkit:checkin-photo", args=[checkin.pk])).status_code == 404


def test_the_scorecard_counts_checked_in_visits_apart_from_typed_ones(client, rep, manager, project):
    checked = demo_stage_form("F05", project=project, by=rep, status="draft")
    checked.checkin = visit_checkin_record(by=rep, outcome="located", latitude=Decimal(31), longitude=Decimal(121))
    checked.save()
    denied = demo_stage_form("F05", project=project, by=rep, status="draft")
    denied.checkin = visit_checkin_record(by=rep, outcome="denied")
    denied.save()
    demo_stage_form("F05", project=project, by=rep, status="draft")  # typed
    rollups.rep_months_refresh()
    month = RepMonth.objects.get(owner=rep)
    assert (month.visits, month.visits_checked_in) == (3, 1)
    client.force_login(manager)
    page = client.get(reverse("forecasting:scorecard", args=[rep.pk])).content.decode()
    assert "签到 1 · 手工填写 2" in page


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_the_pdf_prints_the_checkin_time_and_place(client, rep, project):
    report = demo_stage_form("F05", project=project, by=rep, status="draft")
    report.checkin = visit_checkin_record(
        by=rep, outcome="located", latitude=Decimal("31.2304"), longitude=Decimal("121.4737"), accuracy=18
    )
    report.save()
    client.force_login(rep)
    content = client.get(reverse("forms_toolkit:pdf", args=["F05", report.pk])).content
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout
    text = text.decode()
    assert "拜访签到" in text and "31.230400°N 121.473700°E (±18 m)" in text
