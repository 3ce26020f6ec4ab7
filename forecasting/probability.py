"""Win probability (赢率) learned from the organisation's own closed projects.

Until there are enough closed projects a project's probability is its stage's
default. After that the base is the win rate of closed projects that reached the
stage — won / (won + lost) — smoothed toward the stage default while the counts
are thin, then moved on the log-odds scale by named factors: customer category,
industry and source, buying-center red flags, the customer's stage lagging ours,
and days in stage beyond the norm. Each factor's effect is how far the win rate of
closed projects with that value sits from the overall rate, smoothed the same way.

Fitting reads grouped counts (one aggregate query), never the projects one by one.
The calibration scores every closed project at every stage it reached with the
project itself left out of the counts, so it measures predictions, not memory.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from core.caching import cached
from core.caching import forget as forget_keys
from core.db import session_settings
from customers.models import Customer
from forecasting.models import DealControlSettings, WinModel
from pipeline.models import BuyingCenterMember, Project, StageDefinition

FACTORS = ("category", "industry", "source", "red_flag", "lagging", "stalled")
FLAG_FACTORS = ("red_flag", "lagging", "stalled")
BUCKETS = 10
FLOOR, CEILING = 0.01, 0.99


def _logit(p: float) -> float:
    p = min(max(p, FLOOR), CEILING)
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def factor_annotations(*, norms: dict[int, int], config: DealControlSettings, now=None) -> dict:
    """The factor values of a project, as expressions the database computes for many projects at once."""
    now = now or timezone.now()
    decision_makers = BuyingCenterMember.objects.filter(
        project=OuterRef("pk"), role=BuyingCenterMember.Role.DECISION_MAKER
    )
    troubled = decision_makers.filter(
        Q(attitude=BuyingCenterMember.Attitude.OPPONENT) | Q(closeness=BuyingCenterMember.Closeness.NONE)
    )
    red_flag = Q(Exists(troubled)) | ~Q(Exists(decision_makers))
    # One CASE per row rather than a chain of eight ORs: the model fit evaluates it for every closed project.
    final_norm = Case(*(When(final_stay_stage_number=n, then=Value(days)) for n, days in norms.items()))
    entered_before = Case(
        *(When(stage__number=n, then=Value(now - datetime.timedelta(days=days))) for n, days in norms.items()),
        output_field=DateTimeField(),
    )
    # Stalled in the stage it is in now, or (closed) in the stay its close ended, kept on the project at close.
    # (the IS NOT NULL keeps a project closed without a recorded stay a plain "no", not an unknown)
    closed_too_long = Q(closed_at__isnull=False, final_stay_days__isnull=False, final_stay_days__gt=final_norm)
    stalled = Q(status=Project.Status.OPEN, stage_entered_at__lt=entered_before) | closed_too_long
    lagging = Q(stage__number__gte=F("customer_stage__number") + config.stage_gap)
    return {
        "category": F("customer__category"),
        "industry": F("customer__industry"),
        "source": F("customer__source"),
        "red_flag": ExpressionWrapper(red_flag, output_field=BooleanField()),
        "lagging": ExpressionWrapper(lagging, output_field=BooleanField()),
        "stalled": ExpressionWrapper(stalled, output_field=BooleanField()),
    }


def _value_key(value) -> str:
    return "1" if value is True else "0" if value is False else str(value or "")


def _applies(factor: str, key: str) -> bool:
    """A blank value says nothing; a flag counts only where it is raised."""
    return bool(key) and not (factor in FLAG_FACTORS and key == "0")


@dataclass
class Counts:
    """Closed-project counts the model is made of."""

    won: int
    lost: int
    stage: dict[int, list[int]]  # stage number -> [won, lost] of projects that reached it
    factor: dict[str, dict[str, dict[int, list[int]]]]  # factor -> value -> furthest stage -> [won, lost]

    def value_totals(self, factor: str, key: str) -> tuple[int, int]:
        by_stage = self.factor.get(factor, {}).get(key, {})
        return sum(w for w, _ in by_stage.values()), sum(lo for _, lo in by_stage.values())


def _counts_from_groups(groups) -> Counts:
    counts = Counts(
        won=0,
        lost=0,
        stage=defaultdict(lambda: [0, 0]),
        factor=defaultdict(lambda: defaultdict(lambda: defaultdict(lambda: [0, 0]))),
    )
    for g in groups:
        index = 0 if g["status"] == Project.Status.WON else 1
        n, furthest = g["n"], g["furthest_stage_number"]
        if index == 0:
            counts.won += n
        else:
            counts.lost += n
        for number in range(1, furthest + 1):
            counts.stage[number][index] += n
        for factor in FACTORS:
            counts.factor[factor][_value_key(g[factor])][furthest][index] += n
    return counts


def _parameters(counts: Counts, defaults: dict[int, float], k: float, minus: tuple[int, int] = (0, 0)) -> dict:
    """Stage rates from counts; ``minus`` = (won, lost) of one project to leave out, up to its furthest stage."""
    mw, ml = minus
    won, lost = counts.won - mw, counts.lost - ml
    overall = won / (won + lost) if won + lost else 0.5
    stage = {}
    for number, default in defaults.items():
        w, lo = counts.stage.get(number, [0, 0])
        w, lo = w - mw, lo - ml
        w, lo = max(w, 0), max(lo, 0)
        stage[number] = {"won": w, "lost": lo, "default": default, "rate": (w + k * default) / (w + lo + k)}
    return {"overall": overall, "stage": stage}


def _effect(counts: Counts, factor: str, key: str, stage: dict, k: float, leave_out=None) -> float:
    """How far projects with this value won above or below what their stages alone predict (log-odds).

    Each closed project counts once for every stage it reached, against that stage's
    rate, so a factor that merely goes with getting further (and so with winning)
    is not counted twice. ``leave_out`` = (won?, furthest) of one project.
    """
    # Expected wins use the raw stage rates, so a value every project shares comes out at exactly zero.
    cumulative, total = {}, 0.0
    for number in sorted(stage):
        reached = stage[number]["won"] + stage[number]["lost"]
        total += stage[number]["won"] / reached if reached else stage[number]["default"]
        cumulative[number] = total
    observed = expected = visits = 0.0
    for furthest, (w, lo) in counts.factor.get(factor, {}).get(key, {}).items():
        visits += (w + lo) * furthest
        observed += w * furthest
        expected += (w + lo) * cumulative[furthest]
    if leave_out:
        y, furthest = leave_out
        visits -= furthest
        observed -= y * furthest
        expected -= cumulative[furthest]
    if visits <= 0 or expected <= 0:
        return 0.0
    base = expected / visits
    rate = (observed + k * base) / (visits + k)
    return _logit(rate) - _logit(base)


def fit(*, norms: dict[int, int], config: DealControlSettings | None = None, now=None) -> WinModel:
    """Learn from every won and lost project, score the model on them, and keep the fit."""
    config = config or DealControlSettings.current()
    now = now or timezone.now()
    defaults = {s.number: float(s.default_probability) / 100 for s in StageDefinition.objects.all()}
    # Grouped by hashing: PostgreSQL's estimate chose to sort every closed project first (6 s, not 2.5 s).
    with session_settings(enable_sort="off"):
        groups = list(
            Project.objects.filter(status__in=[Project.Status.WON, Project.Status.LOST])
            .annotate(**factor_annotations(norms=norms, config=config, now=now))
            .order_by()
            .values("furthest_stage_number", "status", *FACTORS)
            .annotate(n=Count("pk"))
        )
    counts = _counts_from_groups(groups)
    k = float(config.smoothing_strength)
    closed = counts.won + counts.lost
    learned = closed >= config.learning_min_closed and closed > 0
    base = _parameters(counts, defaults, k)
    parameters = {
        "k": k,
        "norms": {str(n): d for n, d in norms.items()},
        "overall": base["overall"],
        "stage": {str(n): v for n, v in base["stage"].items()},
        "factors": {
            factor: {
                key: {
                    "won": counts.value_totals(factor, key)[0],
                    "lost": counts.value_totals(factor, key)[1],
                    "effect": _effect(counts, factor, key, base["stage"], k),
                }
                for key in values
            }
            for factor, values in counts.factor.items()
        },
    }
    model = WinModel.objects.filter(day=timezone.localdate(now)).first() or WinModel(day=timezone.localdate(now))
    model.fitted_at, model.closed, model.won, model.learned = now, closed, counts.won, learned
    model.parameters, model.calibration, model.brier, model.baseline_brier = parameters, [], None, None
    if closed:
        _calibrate(model, groups, counts, defaults, k)
    model.save()
    return model


SHRINKS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _calibrate(model: WinModel, groups, counts: Counts, defaults: dict[int, float], k: float) -> None:
    """Score every closed project at every stage it reached, leaving it out of the counts.

    Factors measured one by one overlap (industry, source and category all describe the
    same customer), so their summed effect is scaled by the shrink that predicts best here;
    the buckets and the Brier score are those of that shrink.
    """
    # (weight, won?, stage rate in log-odds, summed factor effects, stage default) per stage reached.
    # What a left-out project changes depends only on whether it was won and how far it got, so each
    # rate and effect is worked out once for all the thousands of groups that share them.
    params = {y: _parameters(counts, defaults, k, (y, 1 - y)) for y in (0, 1)}
    rates = {y: {n: _logit(stage["rate"]) for n, stage in params[y]["stage"].items()} for y in (0, 1)}
    effect_of: dict[tuple, float] = {}

    def effect(factor: str, key: str, leave_out: tuple[int, int]) -> float:
        memo = (factor, key, leave_out)
        if memo not in effect_of:
            effect_of[memo] = _effect(counts, factor, key, params[leave_out[0]]["stage"], k, leave_out)
        return effect_of[memo]

    cases = []
    for g in groups:
        y = 1 if g["status"] == Project.Status.WON else 0
        values = {f: _value_key(g[f]) for f in FACTORS}
        leave_out = (y, g["furthest_stage_number"])
        effects = sum(effect(f, values[f], leave_out) for f in FACTORS if _applies(f, values[f]))
        for number in range(1, g["furthest_stage_number"] + 1):
            cases.append((g["n"], y, rates[y][number], effects, defaults[number]))
    total = sum(n for n, *_ in cases)

    def predicted(case, shrink):
        _n, _y, base, effects, default = case
        return _expit(base + shrink * effects) if model.learned else default

    def brier(shrink):
        return sum(c[0] * (predicted(c, shrink) - c[1]) ** 2 for c in cases)

    shrink = min(reversed(SHRINKS), key=brier) if model.learned else 1.0
    model.parameters["shrink"] = shrink
    buckets = [{"n": 0, "predicted": 0.0, "won": 0} for _ in range(BUCKETS)]
    for case in cases:
        n, y = case[0], case[1]
        p = predicted(case, shrink)
        bucket = buckets[min(int(p * BUCKETS), BUCKETS - 1)]
        bucket["n"] += n
        bucket["predicted"] += p * n
        bucket["won"] += y * n
    model.calibration = [
        {
            "low": i * 100 // BUCKETS,
            "high": (i + 1) * 100 // BUCKETS,
            "n": b["n"],
            "predicted": round(b["predicted"] * 100 / b["n"], 1) if b["n"] else None,
            "actual": round(b["won"] * 100 / b["n"], 1) if b["n"] else None,
        }
        for i, b in enumerate(buckets)
    ]
    baseline = sum(n * (default - y) ** 2 for n, y, _b, _e, default in cases)
    model.brier = round(brier(shrink) / total, 4) if total else None
    model.baseline_brier = round(baseline / total, 4) if total else None


# Prediction and its explanation -----------------------------------------------------------------


@dataclass
class Factor:
    code: str
    value: str
    won: int
    lost: int
    points: float  # what this factor adds to the probability, in percentage points

    @property
    def raises(self) -> bool:
        return self.points > 0

    @property
    def rate(self) -> float | None:
        return self.won * 100 / (self.won + self.lost) if self.won + self.lost else None

    @property
    def text(self) -> str:
        label = factor_label(self.code, self.value)
        history = (
            _("历史上此类结案项目 %(n)s 个,赢率 %(rate).0f%%") % {"n": self.won + self.lost, "rate": self.rate}
            if self.rate is not None
            else ""
        )
        if self.raises:
            return _("%(label)s:提高赢率 %(points).1f 个百分点(%(history)s)。") % {
                "label": label,
                "points": self.points,
                "history": history,
            }
        return _("%(label)s:降低赢率 %(points).1f 个百分点(%(history)s)。") % {
            "label": label,
            "points": -self.points,
            "history": history,
        }


def factor_label(code: str, value: str) -> str:
    if code == "category":
        return _("客户类别为“%(v)s”") % {"v": Customer.Category(value).label if value else _("未填")}
    if code == "industry":
        return _("客户行业为“%(v)s”") % {"v": Customer.Industry(value).label if value else _("未填")}
    if code == "source":
        return _("客户来源为“%(v)s”") % {"v": Customer.Source(value).label if value else _("未填")}
    flags = {
        "red_flag": (_("决策者反对、未联系或尚未识别"), _("决策者已识别且未反对")),
        "lagging": (_("客户采购阶段落后我方"), _("客户采购阶段与我方同步")),
        "stalled": (_("在阶段中停留超过常规天数"), _("各阶段停留未超过常规天数")),
    }
    yes, no = flags[code]
    return yes if value == "1" else no


@dataclass
class Estimate:
    probability: float  # percent
    stage_default: float
    stage_rate: float | None
    stage_won: int
    stage_lost: int
    learned: bool
    factors: list[Factor]


def predict(parameters: dict, *, stage_number: int, values: dict, learned: bool, default: float) -> Estimate:
    """The probability for a project at ``stage_number`` with these factor values, and each factor's share."""
    if not learned:
        return Estimate(default * 100, default * 100, None, 0, 0, False, [])
    stage = parameters["stage"][str(stage_number)]
    base = _logit(stage["rate"])
    effects = {}
    for factor in FACTORS:
        key = _value_key(values.get(factor))
        entry = parameters["factors"].get(factor, {}).get(key)
        if entry and _applies(factor, key):
            effects[factor] = (key, entry)
    shrink = parameters.get("shrink", 1.0)
    # Strongest first, each factor's points are what it adds on top of the ones before it,
    # so the list walks from the stage rate to the project's probability.
    ordered = sorted(effects.items(), key=lambda item: -abs(item[1][1]["effect"]))
    running, factors = base, []
    for factor, (key, entry) in ordered:
        before = _expit(running)
        running += shrink * entry["effect"]
        points = (_expit(running) - before) * 100
        if abs(points) >= 0.5:
            factors.append(Factor(factor, key, entry["won"], entry["lost"], round(points, 1)))
    p = _expit(running)
    return Estimate(
        round(p * 100, 2),
        default * 100,
        round(stage["rate"] * 100, 1),
        stage["won"],
        stage["lost"],
        True,
        factors,
    )


READ_KEY = "forecasting:model-and-settings:1"


def model_and_settings() -> tuple[WinModel | None, DealControlSettings]:
    """The newest model and the thresholds, for pages: cached until either is saved again (``forget``)."""
    return cached(READ_KEY, lambda: (latest_model(), DealControlSettings.current()))


def forget(**kwargs) -> None:
    forget_keys(READ_KEY)


def latest_model(*, day=None) -> WinModel | None:
    """The newest fit (or the one fitted on ``day``)."""
    models = WinModel.objects.only("learned", "parameters", "fitted_at", "closed", "won", "day")
    return (models.filter(day=day) if day else models).first()


def score_open_projects(*, model: WinModel | None, project_ids=None, config=None, now=None) -> int:
    """Write each open project's probability; only changed rows are written. Returns how many changed."""
    config = config or DealControlSettings.current()
    defaults = {s.number: float(s.default_probability) / 100 for s in StageDefinition.objects.all()}
    learned = bool(model and model.learned)
    queryset = Project.objects.open()
    if project_ids is not None:
        queryset = queryset.filter(pk__in=project_ids)
    if learned:
        norms = {int(n): d for n, d in model.parameters["norms"].items()}
        queryset = queryset.annotate(**factor_annotations(norms=norms, config=config, now=now))
        rows = queryset.order_by().values("pk", "stage__number", "win_probability", *FACTORS)
    else:
        rows = queryset.order_by().values("pk", "stage__number", "win_probability")
    changed = []
    for row in rows.iterator(chunk_size=5000):
        number = row["stage__number"]
        estimate = predict(
            model.parameters if learned else {},
            stage_number=number,
            values=row,
            learned=learned,
            default=defaults[number],
        )
        value = round(estimate.probability, 2)
        if abs(float(row["win_probability"]) - value) >= 0.005:
            changed.append(Project(pk=row["pk"], win_probability=value))
    Project.objects.bulk_update(changed, ["win_probability"], batch_size=2000)
    return len(changed)


def explain(project: Project, *, model: WinModel | None = None) -> Estimate:
    """What makes up this project's probability, for its page."""
    cached_model, config = model_and_settings()
    model = model if model is not None else cached_model
    default = float(project.stage.default_probability) / 100
    if not (model and model.learned):
        return predict({}, stage_number=project.stage.number, values={}, learned=False, default=default)
    norms = {int(n): d for n, d in model.parameters["norms"].items()}
    values = (
        Project.objects.filter(pk=project.pk)
        .annotate(**factor_annotations(norms=norms, config=config))
        .values(*FACTORS)
        .get()
    )
    return predict(model.parameters, stage_number=project.stage.number, values=values, learned=True, default=default)
