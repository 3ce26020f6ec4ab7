"""The forward backtest: how well the win model would have predicted, month by month.

At each of the last twelve month-starts the model is fitted on what had closed before it, and
scores the projects open at that moment, as they stood then; what happened to them afterwards
judges it (projects still open today are not judged, and are counted). Against it stand the stage
defaults and the plain stage rate (won / reached among what had closed, unsmoothed).

The same runs choose the tuning: the stage smoothing ``k``, the ridge and the credibility ``z``.
Each month is scored with the tuning that did best on the months before it (the first with the
defaults), so the figures reported are forward all the way through; the live model takes the
tuning that did best over all twelve, or the most cautious one within the backtest's noise of it.
"""

from __future__ import annotations

import datetime
import itertools
import math

from django.utils import timezone

from forecasting import timeline
from forecasting.models import DealControlSettings, WinBacktest
from forecasting.probability import (
    DEFAULT_TUNING,
    _expit,
    base_logit,
    combine,
    fit_parameters,
    outcomes,
    parts,
    sample,
    stage_defaults,
    stage_table,
)
from forecasting.rollups import month_start, shift_months
from pipeline.models import Project

MONTHS = 12
LOAD_CAP = 12000  # closed projects read at most (an even sample beyond that)
JUDGE_CAP = 800  # projects judged per month at most (an even sample beyond that)
GRID = {"k": (3.0, 10.0, 30.0), "ridge": (2.0, 8.0, 32.0), "z": (1.5, 2.0, 2.5, 3.0, 3.5)}
MIN_JUDGED = 300  # fewer judged than this, and the defaults stand: a choice on a handful is noise
BUCKETS = 10


def tunings() -> list[dict]:
    return [dict(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]


def _key(t: dict) -> tuple:
    return (t["k"], t["ridge"], t["z"])


def choose(errors: dict[tuple, list[float]], judged: int) -> dict:
    """The most cautious tuning (highest z, then ridge, then k) whose Brier is within one standard
    error of the best one's (the paired difference over the same judged projects): a tuning wins
    over caution only by more than the backtest's own noise."""
    if not errors or judged < MIN_JUDGED:
        return dict(DEFAULT_TUNING)
    best_key = min(errors, key=lambda key: (sum(errors[key]), key))
    best = errors[best_key]
    n = len(best)
    near = []
    for key, found in errors.items():
        diffs = [a - b for a, b in zip(found, best, strict=True)]
        mean = sum(diffs) / n
        spread = math.sqrt(sum((d - mean) ** 2 for d in diffs) / max(n - 1, 1) / n)
        if mean <= spread:
            near.append(key)
    z, ridge, k = max((key[2], key[1], key[0]) for key in near)
    return {"k": k, "ridge": ridge, "z": z}


def month_starts(now: datetime.datetime, months: int = MONTHS) -> list[datetime.datetime]:
    first = month_start(now)
    return [
        timezone.make_aware(datetime.datetime.combine(shift_months(first, -back), datetime.time.min))
        for back in range(months, 0, -1)
    ]


def run(
    *,
    now: datetime.datetime | None = None,
    config: DealControlSettings | None = None,
    months: int = MONTHS,
    store: bool = True,
) -> dict | WinBacktest:
    """Backtest the last ``months`` month-starts; keep (``store``) and return the result."""
    config = config or DealControlSettings.current()
    now = now or timezone.now()
    defaults = stage_defaults()
    closed = Project.objects.filter(status__in=outcomes(config), closed_at__lt=now)
    lives = sorted(timeline.load(sample(closed, LOAD_CAP)).values(), key=lambda life: life.pk)
    grid = tunings()
    chosen_before: dict = dict(DEFAULT_TUNING)
    errors: dict[tuple, list[float]] = {}  # each tuning's squared error on every judged project so far
    scored: list[dict] = []  # the forward predictions, one per judged project and month
    per_month = []
    for start in month_starts(now, months):
        train = [life for life in lives if life.closed_at and life.closed_at < start]
        candidates = [life for life in lives if life.closed_at and life.created_at < start <= life.closed_at]
        step = max(-(-len(candidates) // JUDGE_CAP), 1)
        judged = [(life, state) for life in candidates[::step] if (state := life.state_at(start)) is not None]
        month_errors, month_rows = _score_month(train, judged, defaults, config, grid, chosen_before)
        for key, found in month_errors.items():
            errors.setdefault(key, []).extend(found)
        scored += month_rows
        still_open = Project.objects.open().filter(created_at__lt=start).count()
        per_month.append(
            {
                "month": start.date().isoformat(),
                "trained_on": len(train),
                "judged": len(month_rows),
                "unresolved": still_open,
                "tuning": chosen_before,
                **_briers(month_rows),
            }
        )
        chosen_before = choose(errors, len(scored))
    result = {
        "months": [m["month"] for m in per_month],
        "judged": len(scored),
        "unresolved": sum(m["unresolved"] for m in per_month),
        "tuning": choose(errors, len(scored)),
        "per_month": per_month,
        "calibration": _calibration(scored),
        "factors": _directions(scored),
        **_briers(scored),
    }
    shown = sum(f["n"] for f in result["factors"])
    result["right_share"] = round(sum(f["n"] for f in result["factors"] if f["right"]) / shown, 3) if shown else None
    if not store:
        return result
    fields = {name: result[name] for name in ("months", "judged", "unresolved", "tuning", "per_month")}
    fields.update(calibration=result["calibration"], factors=result["factors"], with_reasons=result["with_reasons"])
    fields.update(brier=result["app"], brier_default=result["default"], brier_rate=result["rate"])
    fields.update(right_share=result["right_share"], run_at=now)
    backtest, _created = WinBacktest.objects.update_or_create(day=timezone.localdate(now), defaults=fields)
    return backtest


def _score_month(
    train: list[timeline.Life],
    judged: list[tuple[timeline.Life, timeline.State]],
    defaults: dict[int, float],
    config: DealControlSettings,
    grid: list[dict],
    chosen: dict,
) -> tuple[dict, list[dict]]:
    """Every tuning's Brier total on this month's judged projects, and the chosen tuning's predictions."""
    if not judged:
        return {}, []
    plain = {int(n): s for n, s in stage_table(train, defaults, 0.0).items()}
    by_ridge = {}
    for ridge in GRID["ridge"]:
        by_ridge[ridge] = fit_parameters(train, defaults=defaults, config=config, tuning={"ridge": ridge})
        if not by_ridge[ridge]["learned"]:
            by_ridge = {r: by_ridge[ridge] for r in GRID["ridge"]}  # too few closed: the same stage rates for all
            break
    errors: dict[tuple, list[float]] = {_key(t): [] for t in grid}
    rows = []
    for life, state in judged:
        y = 1.0 if life.won else 0.0
        found = {ridge: parts(p, state) if p["learned"] else [] for ridge, p in by_ridge.items()}
        for t in grid:
            parameters = by_ridge[t["ridge"]]
            base = base_logit(parameters, state.stage, t["k"])
            p = combine(base, found[t["ridge"]], t["z"])[0] if parameters["learned"] else _expit(base)
            errors[_key(t)].append((p - y) ** 2)
        parameters = by_ridge[chosen["ridge"]]
        base = base_logit(parameters, state.stage, chosen["k"])
        if parameters["learned"]:
            p, factors, base = combine(base, found[chosen["ridge"]], chosen["z"])
        else:
            p, factors = _expit(base), []
        stage = plain.get(state.stage, {"won": 0, "lost": 0})
        reached = stage["won"] + stage["lost"]
        rows.append(
            {
                "y": y,
                "app": p,
                "base": _expit(base),
                "default": defaults[state.stage],
                "rate": stage["won"] / reached if reached else defaults[state.stage],
                "factors": [(f.code, f.value, f.points) for f in factors],
            }
        )
    return errors, rows


def _briers(rows: list[dict]) -> dict:
    n = len(rows)

    def brier(name: str) -> float | None:
        return round(sum((r[name] - r["y"]) ** 2 for r in rows) / n, 4) if n else None

    return {
        "app": brier("app"),
        "default": brier("default"),
        "rate": brier("rate"),
        "with_reasons": sum(1 for r in rows if r["factors"]),
    }


def _calibration(rows: list[dict]) -> list[dict]:
    buckets = [{"n": 0, "predicted": 0.0, "won": 0.0} for _ in range(BUCKETS)]
    for r in rows:
        b = buckets[min(int(r["app"] * BUCKETS), BUCKETS - 1)]
        b["n"] += 1
        b["predicted"] += r["app"]
        b["won"] += r["y"]
    return [
        {
            "low": i * 100 // BUCKETS,
            "high": (i + 1) * 100 // BUCKETS,
            "n": b["n"],
            "predicted": round(b["predicted"] * 100 / b["n"], 1) if b["n"] else None,
            "actual": round(b["won"] * 100 / b["n"], 1) if b["n"] else None,
        }
        for i, b in enumerate(buckets)
    ]


def _directions(rows: list[dict]) -> list[dict]:
    """For each reason shown: on how many projects, their base and the actual win rate, and whether
    they won more (a raising reason) or less (a lowering one) than the base said."""
    groups: dict[tuple, dict] = {}
    for r in rows:
        for code, value, points in r["factors"]:
            g = groups.setdefault((code, value, points > 0), {"n": 0, "base": 0.0, "won": 0.0, "points": 0.0})
            g["n"] += 1
            g["base"] += r["base"]
            g["won"] += r["y"]
            g["points"] += points
    out = []
    for (code, value, raises), g in sorted(groups.items(), key=lambda kv: -kv[1]["n"]):
        base, actual = g["base"] / g["n"], g["won"] / g["n"]
        out.append(
            {
                "code": code,
                "value": value,
                "raises": raises,
                "n": g["n"],
                "points": round(g["points"] / g["n"], 1),
                "base": round(base * 100, 1),
                "actual": round(actual * 100, 1),
                "right": (actual > base) if raises else (actual < base),
            }
        )
    return out
