from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import User
from forecasting.models import FunnelSnapshot, WinModel
from forms_toolkit.models import CallLog, VisitReport
from pipeline.models import BuyingCenterMember, CustomerStageObservation, Project, StageChange, Task

pytestmark = pytest.mark.django_db


def test_the_generator_builds_a_working_organisation_at_a_tiny_scale(client):
    out = StringIO()
    call_command("bench_data", scale=0.0005, stdout=out)
    log = out.getvalue()
    assert "projects 500/500" in log and "deal-control roll-up" in log

    assert Project.objects.count() == 500
    statuses = dict(Project.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses.get("open") and statuses.get("won") and statuses.get("lost")
    assert StageChange.objects.count() > 5 * 500 * 0.8
    assert CustomerStageObservation.objects.count() >= 500
    assert CallLog.objects.count() == 500 and VisitReport.objects.exists()
    assert BuyingCenterMember.objects.count() >= 2 * 500 and Task.objects.count() == 500
    # Every project starts with a creation change; every stay but the one it is in now has an end.
    assert StageChange.objects.filter(kind="created").count() == 500
    open_stays = StageChange.objects.stays().filter(left_at__isnull=True)
    assert open_stays.count() == statuses["open"]
    assert not StageChange.objects.stays().filter(left_at__isnull=False, days__isnull=True).exists()
    won = Project.objects.filter(status="won")
    assert not won.exclude(furthest_stage_number=8).exists()
    # The roll-up ran and the model learned from the history.
    assert FunnelSnapshot.objects.exists() and WinModel.objects.get().learned

    # A generated rep works with the generated data through the ordinary pages.
    rep = User.objects.filter(username__startswith="bench-rep-").first()
    project = Project.objects.filter(owner=rep, status="open").first()
    client.force_login(rep)
    assert client.get(project.get_absolute_url()).status_code == 200
    assert client.get("/projects/board/").status_code == 200
    assert client.get(f"/control/reps/{rep.pk}/").status_code == 200


def test_it_refuses_to_load_twice():
    call_command("bench_data", scale=0.0002, no_rollup=True, stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("bench_data", scale=0.0002, stdout=StringIO())
