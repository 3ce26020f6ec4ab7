"""The full refresh: rep activity runs beside the rest on PostgreSQL, after it on one connection
elsewhere; either way every table is written, and a failure anywhere ends the whole run with it."""

import threading
from unittest import mock

import pytest
from django.db import connection, connections

from forecasting import rollups
from forecasting.models import Anomaly, FunnelSnapshot, RepMonth, WinModel
from forecasting.refresh import refresh_all

STEPS = {"rep_months", "anomalies", "stage_stats", "win_model", "probabilities", "funnel_forecast", "total"}


def _refresh_within(seconds: float) -> dict:
    """refresh_all on a thread of its own, which must end: a half left waiting would hang the suite."""
    outcome: dict = {}

    def run():
        try:
            outcome["timings"] = refresh_all()
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the refresh never ended"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["timings"]


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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the second connection is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_both_halves_run_beside_and_a_failure_stops_them(bare, rep):
    with mock.patch("forecasting.refresh.threading.Thread", wraps=threading.Thread) as threads:
        _both_halves_run_and_a_failure_stops_them(bare, rep, run=lambda: _refresh_within(120))
    beside = [c for c in threads.call_args_list if c.kwargs.get("name") == "rollup-beside"]
    assert len(beside) == 3
