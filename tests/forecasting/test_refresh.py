"""The full refresh: deal control's tables and rep activity, in one process or as a Celery group;
either way every table is written, and a failure in either half ends the run with an error."""

from unittest import mock

import pytest

from forecasting import rollups
from forecasting.models import Anomaly, FunnelSnapshot, RepMonth, WinModel
from forecasting.refresh import refresh_all

STEPS = {"rep_months", "anomalies", "stage_stats", "win_model", "probabilities", "funnel_forecast", "total"}


def _both_halves_run_and_a_failure_stops_them(bare, rep, run=refresh_all):
    bare(stage=3, customer_stage=1)
    bare(stage=8, status="won")
    assert STEPS <= refresh_all().keys()
    assert Anomaly.objects.filter(kind="tracks_disagree").exists()
    assert RepMonth.objects.filter(owner=rep).exists()
    assert FunnelSnapshot.objects.exists() and WinModel.objects.exists()

    with mock.patch.object(rollups, "stage_stats_refresh", side_effect=RuntimeError("stage stats failed")):
        with pytest.raises(RuntimeError, match="stage stats failed"):
            run()
    with mock.patch.object(rollups, "rep_months_refresh", side_effect=RuntimeError("rep months failed")):
        with pytest.raises(RuntimeError, match="rep months failed"):
            run()


def test_on_one_connection_both_halves_run_and_a_failure_stops_them(bare, rep):
    _both_halves_run_and_a_failure_stops_them(bare, rep)


def test_the_scheduled_rollup_is_a_group_of_its_two_halves(bare, rep):
    """The beat's task sends deal control and rep activity as one Celery group (two worker processes
    run them at once); here, eagerly, both run, and a half that fails raises."""
    from forecasting import tasks

    with mock.patch.object(tasks, "group", wraps=tasks.group) as grouped:
        _both_halves_run_and_a_failure_stops_them(bare, rep, run=lambda: tasks.rollup_all.delay(full=True))
    sent = grouped.call_args_list[0].args
    assert [s.task for s in sent] == ["forecasting.rollup_deal_control", "forecasting.rollup_activity"]
