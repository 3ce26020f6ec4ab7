"""Win probability (赢率) learned from the organisation's own closed projects, at the time they were open.

Every training example is a closed project *at a stage*, as it stood then (``forecasting.timeline``):
on entering each stay and at each checkpoint the stay lasted to, with the buying center and the
customer's stage as they were at that moment and the days of the stay so far. Its label is how the
project ended (abandoned counts as not won unless the settings leave abandoned projects out).

The probability of a project is its stage's win rate (won / reached among closed projects, smoothed
toward the stage default by ``k`` projects), moved on the log-odds scale by a ridge logistic
regression on those examples: customer category, industry and source, a buying-center red flag, the
customer's stage lagging ours, and how long the stay has lasted against the stage's usual length.
Examples of one project are not independent, so the likelihood counts projects, not examples (it is
divided by examples per project), and the ridge's strength is in projects too. A factor is applied,
and shown, only where its effect is credible: its posterior interval at ``z`` excludes zero. Below
the learning threshold nothing but the smoothed stage rate is used.

``k``, the ridge and ``z`` are chosen by the forward backtest (``forecasting.backtest``), never on
the data the backtest scores. Scoring writes each open project's probability and its reasons in one
pass with one ``now``; the project page reads those, so the two always agree.
"""

from __future__ import annotations

import bisect
import datetime
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Mod
from django.utils import timezone
from django.utils.translation import gettext as _

from core.caching import cached
from core.caching import forget as forget_keys
from customers.models import Customer
from forecasting import timeline
from forecasting.models import DealControlSettings, WinBacktest, WinModel
from pipeline import catalog_cache
from pipeline.models import BuyingCenterMember, Project

GROUPS = ("category", "industry", "source")  # one level per customer
FLAGS = ("red_flag", "lagging")  # raised or not, at the moment
TIME = "time"
OWNER = "owner"  # the owner's own record from the stage
FLOOR, CEILING = 0.005, 0.995
DEFAULT_TUNING = {"k": 20.0, "ridge": 8.0, "z": 2.5}
FIT_K = 5.0  # the stage rates the regression is fitted around; the tuned k only moves the base
OWNER_K = 10.0  # an owner's record is smoothed toward the stage rate by this many projects
LIVE_CAP = 4000  # closed projects the daily fit reads at most (an even sample of them beyond that)


def _logit(p: float) -> float:
    p = min(max(p, FLOOR), CEILING)
    return math.log(p / (1 - p))


def _expit(x: float) -> float:
    if x < -30:
        return 0.0
    return 1 / (1 + math.exp(-x))


def stage_defaults() -> dict[int, float]:
    return {s.number: float(s.default_probability) / 100 for s in catalog_cache.stages()}


def outcomes(config: DealControlSettings) -> tuple[str, ...]:
    """The closed statuses the model learns from: abandoned ones count as not won unless left out."""
    if config.abandoned_as_lost:
        return (Project.Status.WON, Project.Status.LOST, Project.Status.ABANDONED)
    return (Project.Status.WON, Project.Status.LOST)


def sample(queryset: QuerySet[Project], cap: int) -> QuerySet[Project]:
    """An even, repeatable sample of at most about ``cap`` rows (every n-th id)."""
    n = queryset.count()
    step = math.ceil(n / cap) if n > cap else 1
    if step > 1:
        queryset = queryset.annotate(_bucket=Mod("pk", step)).filter(_bucket=0)
    return queryset


# The example features -----------------------------------------------------------------------------


def lagging(state: timeline.State, gap: int) -> bool:
    return state.customer_stage is not None and state.stage >= state.customer_stage + gap


def time_weights(days: float, usual: float) -> dict[int, float]:
    """The time in stay as weights on the checkpoints' steps: step j is the change in log-odds from
    checkpoint j-1 to j (``timeline.CHECKPOINTS``, multiples of the usual length). Between two
    checkpoints the last step counts in part, so the odds fall smoothly; past the last, flat."""
    r = max(days, 0.0) / max(usual, 1.0)
    points = timeline.CHECKPOINTS
    out = {}
    for j in range(1, len(points)):
        if r >= points[j] - 1e-9:
            out[j] = 1.0
        elif r > points[j - 1]:
            out[j] = (r - points[j - 1]) / (points[j] - points[j - 1])
            break
        else:
            break
    return out


def levels_of(state: timeline.State, gap: int) -> list[tuple[str, str]]:
    """The (factor, value) pairs a state carries: its customer's levels and the flags raised."""
    out = [(g, getattr(state, g)) for g in GROUPS if getattr(state, g)]
    if state.red_flag:
        out.append(("red_flag", "1"))
    if lagging(state, gap):
        out.append(("lagging", "1"))
    return out


# Fitting ------------------------------------------------------------------------------------------


def stage_table(lives: Iterable[timeline.Life], defaults: dict[int, float], k: float) -> dict[str, dict]:
    """Won and lost among closed projects that had a stay in each stage, and the rate smoothed by ``k``."""
    counts = {n: [0, 0] for n in defaults}
    for life in lives:
        for number in life.reached():
            if number in counts:
                counts[number][0 if life.won else 1] += 1
    return {
        str(n): {
            "won": w,
            "lost": lo,
            "default": defaults[n],
            "rate": (w + k * defaults[n]) / (w + lo + k) if w + lo + k else defaults[n],
        }
        for n, (w, lo) in counts.items()
    }


def fit_parameters(
    lives: Iterable[timeline.Life],
    *,
    defaults: dict[int, float],
    config: DealControlSettings,
    tuning: dict | None = None,
) -> dict:
    """Learn from these closed projects' lives (won or not): the parameters ``predict`` reads."""
    tuning = {**DEFAULT_TUNING, **(tuning or {})}
    lives = list(lives)
    fallback = float(config.stall_fallback_days) / float(config.stall_factor)
    usual = timeline.usual_days(lives, fallback=fallback)
    closed, won = len(lives), sum(1 for life in lives if life.won)
    parameters = {
        "tuning": tuning,
        "closed": closed,
        "won": won,
        "gap": config.stage_gap,
        "usual_days": {str(n): d for n, d in usual.items()},
        "stage": stage_table(lives, defaults, tuning["k"]),
        "learned": bool(closed) and closed >= config.learning_min_closed,
    }
    if parameters["learned"]:
        parameters.update(_regression(lives, usual, defaults, config.stage_gap, tuning))
    return parameters


class OwnerRecords:
    """Each owner's closed projects by stage reached, in the order they closed: their record as of any moment."""

    def __init__(self, lives: Iterable[timeline.Life]) -> None:
        rows: dict[tuple, list] = {}
        for life in lives:
            for number in life.reached():
                rows.setdefault((life.owner_id, number), []).append((life.closed_at, 1 if life.won else 0))
        self.times: dict[tuple[int, int], list[datetime.datetime]] = {}
        self.wins: dict[tuple[int, int], list[int]] = {}
        for key, found in rows.items():
            found.sort(key=lambda r: r[0])
            self.times[key] = [t for t, _ in found]
            total, prefix = 0, [0]
            for _t, y in found:
                total += y
                prefix.append(total)
            self.wins[key] = prefix

    def at(self, owner: int, stage: int, moment: datetime.datetime | None = None) -> tuple[int, int]:
        """(won, closed) of the owner's projects that reached ``stage`` and closed before ``moment``."""
        times = self.times.get((owner, stage))
        if not times:
            return 0, 0
        i = bisect.bisect_left(times, moment) if moment is not None else len(times)
        return self.wins[owner, stage][i], i

    def table(self) -> dict[str, dict[str, list[int]]]:
        out: dict[str, dict[str, list[int]]] = {}
        for (owner, number), times in self.times.items():
            out.setdefault(str(owner), {})[str(number)] = [self.wins[owner, number][-1], len(times)]
        return out


def owner_term(won: int, closed: int, rate: float, k: float) -> float:
    """How far the owner's smoothed record from this stage sits from the stage's rate (log-odds, to 0.1)."""
    if not closed:
        return 0.0
    return round(_logit((won + k * rate) / (closed + k)) - _logit(rate), 1)


NUMERIC = 1  # the owner's record


def _regression(
    lives: list[timeline.Life], usual: dict[int, float], defaults: dict[int, float], gap: int, tuning: dict
) -> dict:
    """The ridge logistic regression on every point-in-time example, in projects' weight."""
    fit_rates = {int(n): s["rate"] for n, s in stage_table(lives, defaults, FIT_K).items()}
    offsets = {n: _logit(r) for n, r in fit_rates.items()}
    records = OwnerRecords(lives)
    index: dict[tuple[str, str], int] = {("intercept", ""): 0}
    patterns: dict[tuple, int] = {}
    cells: dict[tuple, list] = {}
    level_projects: dict[tuple[str, str], list[int]] = {}  # (factor, value) -> [projects, of them won]
    seen: dict[tuple[str, str], int] = {}  # examples with each level, for centering
    examples = 0
    for life in lives:
        y = 1 if life.won else 0
        mine = set()
        for state in life.examples(usual):
            levels = levels_of(state, gap)
            for level in levels:
                if level not in index:
                    index[level] = len(index)
                seen[level] = seen.get(level, 0) + 1
                mine.add(level)
            # Examples sit on the checkpoints, so their time steps are whole: indicator columns.
            for j in time_weights(state.days, usual[state.stage]):
                if (TIME, str(j)) not in index:
                    index[TIME, str(j)] = len(index)
                levels.append((TIME, str(j)))
            pattern = tuple(sorted({0, *(index[level] for level in levels)}))
            pid = patterns.setdefault(pattern, len(patterns))
            xo = owner_term(*records.at(life.owner_id, state.stage, state.at), fit_rates[state.stage], OWNER_K)
            key = (pid, state.stage, xo)
            cell = cells.setdefault(key, [pid, offsets[state.stage], (xo,), 0, 0])
            cell[3] += 1
            cell[4] += y
            examples += 1
        for level in mine:
            entry = level_projects.setdefault(level, [0, 0])
            entry[0] += 1
            entry[1] += y
    first = len(index)
    size = first + NUMERIC
    deff = examples / max(len(lives), 1)  # examples per project: the likelihood counts projects
    penalty = [tuning["ridge"]] * size  # the intercept too: with few projects the shift stays near zero
    beta, cov = _newton(list(patterns), list(cells.values()), size, first, penalty, deff)
    freq = {level: seen[level] / examples for level in seen}
    shift = beta[0]
    by_group: dict[str, dict[str, dict]] = {}
    for group in GROUPS:
        members = [(level, i) for level, i in index.items() if level[0] == group]
        shift += sum(freq[level] * beta[i] for level, i in members)
        for level, i in members:
            a = {j: -freq[other] for other, j in members}
            a[i] += 1
            by_group.setdefault(group, {})[level[1]] = _level(a, beta, cov, level_projects[level])
    for flag in FLAGS:
        if (flag, "1") in index:
            by_group.setdefault(flag, {})["1"] = _level({index[flag, "1"]: 1.0}, beta, cov, level_projects[flag, "1"])
    return {
        "deff": round(deff, 3),
        "examples": examples,
        "shift": shift,
        "levels": by_group,
        "fit_rates": {str(n): r for n, r in fit_rates.items()},
        "owners": records.table(),
        "owner": {"beta": beta[first], "var": cov[first][first]},
        "time": {
            str(j): {"beta": beta[i], "cov": {str(m): cov[i][n] for (c, m), n in index.items() if c == TIME}}
            for (code, j), i in index.items()
            if code == TIME
        },
    }


def _level(a: dict[int, float], beta: list[float], cov: list[list[float]], projects: list[int]) -> dict:
    effect = sum(w * beta[i] for i, w in a.items())
    variance = sum(wi * wj * cov[i][j] for i, wi in a.items() for j, wj in a.items())
    return {"effect": effect, "se": math.sqrt(max(variance, 0.0)), "projects": projects[0], "won": projects[1]}


def _newton(
    patterns: list[tuple],
    cells: list[list],
    size: int,
    first: int,
    penalty: list[float],
    deff: float,
    iterations: int = 40,
) -> tuple[list[float], list[list[float]]]:
    """Penalised maximum likelihood by Newton's method over grouped examples.

    A cell is (pattern, offset, numeric values, n, won); a pattern is the set of indicator columns
    it has, so the Hessian is gathered per pattern (and numeric column), not per example.
    """
    beta = [0.0] * size
    k = size - first
    numeric = range(k)
    hess: list[list[float]] = [[0.0] * size for _ in range(size)]
    for _iteration in range(iterations):
        pattern_eta = [sum(beta[i] for i in p) for p in patterns]
        m = len(patterns)
        w_sum, r_sum = [0.0] * m, [0.0] * m
        w_x = [[0.0] * k for _ in range(m)]
        xx = [[0.0] * k for _ in range(k)]
        rx = [0.0] * k
        b = beta[first:]
        for pid, offset, x, n, won in cells:
            p = _expit(offset + pattern_eta[pid] + sum(bi * xi for bi, xi in zip(b, x, strict=True)))
            w = n * p * (1 - p)
            r = won - n * p
            w_sum[pid] += w
            r_sum[pid] += r
            row = w_x[pid]
            for c in numeric:
                if x[c]:
                    wx = w * x[c]
                    row[c] += wx
                    rx[c] += r * x[c]
                    xc = xx[c]
                    for d in numeric:
                        xc[d] += wx * x[d]
        grad = [-penalty[i] * beta[i] for i in range(size)]
        hess = [[0.0] * size for _ in range(size)]
        for pid, pattern in enumerate(patterns):
            ws, rs = w_sum[pid] / deff, r_sum[pid] / deff
            wxs = [v / deff for v in w_x[pid]]
            for i in pattern:
                grad[i] += rs
                row = hess[i]
                for j in pattern:
                    row[j] += ws
                for c in numeric:
                    row[first + c] += wxs[c]
                    hess[first + c][i] += wxs[c]
        for c in numeric:
            grad[first + c] += rx[c] / deff
            for d in numeric:
                hess[first + c][first + d] += xx[c][d] / deff
        for i in range(size):
            hess[i][i] += penalty[i]
        inverse = _invert(hess)
        step = [sum(inverse[i][j] * grad[j] for j in range(size)) for i in range(size)]
        largest = max(abs(s) for s in step)
        if largest > 4:  # far from the optimum: a shorter step keeps Newton from overshooting
            step = [s * 4 / largest for s in step]
        beta = [b0 + s for b0, s in zip(beta, step, strict=True)]
        if largest < 1e-7:
            return beta, inverse
    return beta, _invert(hess)


def _invert(matrix: list[list[float]]) -> list[list[float]]:
    """Gauss–Jordan inverse of a small symmetric positive-definite matrix."""
    n = len(matrix)
    work = [row[:] + [1.0 if i == j else 0.0 for j in range(n)] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(work[r][col]))
        work[col], work[pivot] = work[pivot], work[col]
        head = work[col][col]
        if abs(head) < 1e-12:
            head = 1e-12
        inv = 1 / head
        row = [v * inv for v in work[col]]
        work[col] = row
        for r in range(n):
            if r != col and work[r][col]:
                factor = work[r][col]
                other = work[r]
                work[r] = [x - factor * y for x, y in zip(other, row, strict=True)]
    return [row[n:] for row in work]


# Prediction and its explanation -----------------------------------------------------------------


@dataclass
class Factor:
    code: str
    value: str
    points: float  # what this factor adds to the probability, in percentage points
    projects: int = 0  # closed projects with this value behind the effect
    won: int = 0
    days: int | None = None  # for the time in stage: days so far, and the stage's usual length
    usual: int | None = None

    @property
    def raises(self) -> bool:
        return self.points > 0

    @property
    def rate(self) -> float | None:
        return self.won * 100 / self.projects if self.projects else None

    @property
    def text(self) -> str:
        label = factor_label(self.code, self.value, days=self.days, usual=self.usual)
        history = (
            _("历史上此类结案项目 %(n)s 个,赢率 %(rate).0f%%") % {"n": self.projects, "rate": self.rate}
            if self.rate is not None
            else ""
        )
        if self.raises:
            text = _("%(label)s:提高赢率 %(points).1f 个百分点") % {"label": label, "points": self.points}
        else:
            text = _("%(label)s:降低赢率 %(points).1f 个百分点") % {"label": label, "points": -self.points}
        return (text + (_("(%(history)s)") % {"history": history} if history else "")) + _("。")

    def as_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _choice_label(choices: type[models.Choices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))  # a value no longer offered still reads as itself


def factor_label(code: str, value: str, *, days: float | None = None, usual: float | None = None) -> str:
    if code == "category":
        return _("客户类别为“%(v)s”") % {"v": _choice_label(Customer.Category, value)}
    if code == "industry":
        return _("客户行业为“%(v)s”") % {"v": _choice_label(Customer.Industry, value)}
    if code == "source":
        return _("客户来源为“%(v)s”") % {"v": _choice_label(Customer.Source, value)}
    if code == TIME:
        return _("在本阶段已停留 %(d)s 天(通常 %(u)s 天)") % {"d": days, "u": usual}
    if code == OWNER:
        return _("负责人过去到达本阶段的项目的赢单记录")
    return {
        "red_flag": _("决策者反对、未联系或尚未识别"),
        "lagging": _("客户采购阶段落后我方"),
    }[code]


def factor_name(code: str, value: str) -> str:
    """A reason's name without the project's own figures, for the backtest's tables."""
    return _("在本阶段停留的时间") if code == TIME else factor_label(code, value)


@dataclass
class Estimate:
    probability: float  # percent
    stage_default: float
    stage_rate: float | None  # the base the factors move: the smoothed stage rate
    stage_won: int
    stage_lost: int
    learned: bool
    factors: list[Factor] = field(default_factory=list)
    pending: bool = False  # the project moved since it was last scored: the stage default until then

    def reasons(self) -> dict:
        """What is stored beside the probability, for the project page to read back."""
        return {"base": self.stage_rate, "factors": [f.as_json() for f in self.factors]}


@dataclass
class Part:
    """One factor's pull on a state, before the credibility test: (effect, its standard error)."""

    code: str
    value: str
    effect: float
    se: float
    projects: int = 0
    won: int = 0
    days: int | None = None
    usual: int | None = None


def parts(parameters: dict, state: timeline.State) -> list[Part]:
    """Every factor that bears on this state, with its effect and standard error (log-odds)."""
    out = []
    levels = parameters["levels"]
    for code, value in levels_of(state, parameters["gap"]):
        entry = levels.get(code, {}).get(value)
        if entry:
            out.append(Part(code, value, entry["effect"], entry["se"], entry["projects"], entry["won"]))
    usual = parameters["usual_days"][str(state.stage)]
    steps = {str(j): w for j, w in time_weights(state.days, usual).items() if str(j) in parameters["time"]}
    if steps:
        time = parameters["time"]
        effect = sum(w * time[j]["beta"] for j, w in steps.items())
        variance = sum(wi * wj * time[i]["cov"][j] for i, wi in steps.items() for j, wj in steps.items())
        out.append(Part(TIME, "", effect, math.sqrt(max(variance, 0.0)), days=int(state.days), usual=round(usual)))
    won, closed = parameters["owners"].get(str(state.owner_id), {}).get(str(state.stage), [0, 0])
    xo = owner_term(won, closed, parameters["fit_rates"][str(state.stage)], OWNER_K)
    if xo:
        # Both the slope and the owner's own record are estimates: the record's spread is that of a
        # smoothed rate over ``closed`` projects, so a short record is rarely a credible reason.
        owner = parameters["owner"]
        q = (won + OWNER_K * parameters["fit_rates"][str(state.stage)]) / (closed + OWNER_K)
        spread = closed / ((closed + OWNER_K) ** 2 * q * (1 - q))
        variance = xo * xo * max(owner["var"], 0.0) + owner["beta"] ** 2 * spread
        out.append(Part(OWNER, "", owner["beta"] * xo, math.sqrt(variance), closed, won))
    return out


def base_logit(parameters: dict, stage: int, k: float | None = None) -> float:
    """The stage's smoothed rate (by ``k``, or the fitted one) in log-odds, plus the regression's shift."""
    entry = parameters["stage"][str(stage)]
    if k is None:
        rate = entry["rate"]
    else:
        rate = (entry["won"] + k * entry["default"]) / (entry["won"] + entry["lost"] + k)
    return _logit(rate) + (parameters.get("shift", 0.0) if parameters.get("learned") else 0.0)


def combine(base: float, found: list[Part], z: float) -> tuple[float, list[Factor], float]:
    """Apply the credible parts, strongest first; each factor's points are what it adds to those before.

    The time in stage is the odds of a stay that has lasted this long: it always moves the base
    (ridge-shrunk), and is named as a reason of its own only where its effect is credible. Other
    factors count only where credible. Returns (probability, reasons, base) with the base in log-odds.
    """
    credible, running = [], base
    for part in found:
        if abs(part.effect) > z * part.se:
            credible.append(part)
        elif part.code == TIME:
            running += part.effect
    base = running
    factors = []
    for part in sorted(credible, key=lambda p: -abs(p.effect)):
        before = _expit(running)
        running += part.effect
        points = round((_expit(running) - before) * 100, 1)
        if points:
            factors.append(Factor(part.code, part.value, points, part.projects, part.won, part.days, part.usual))
    return _expit(running), factors, base


def predict(parameters: dict | None, state: timeline.State, *, default: float) -> Estimate:
    """The probability for a project in this state, and each factor's share."""
    if not parameters or not parameters.get("stage"):
        return Estimate(round(default * 100, 2), default * 100, None, 0, 0, False)
    stage = parameters["stage"][str(state.stage)]
    base = base_logit(parameters, state.stage)
    if parameters.get("learned"):
        p, factors, base = combine(base, parts(parameters, state), parameters["tuning"]["z"])
    else:
        p, factors = _expit(base), []
    return Estimate(
        round(p * 100, 2),
        default * 100,
        round(_expit(base) * 100, 1),
        stage["won"],
        stage["lost"],
        bool(parameters.get("learned")),
        factors,
    )


# The live model -----------------------------------------------------------------------------------


def fit(*, config: DealControlSettings | None = None, now: datetime.datetime | None = None) -> WinModel:
    """Learn from the closed projects (an even sample beyond ``LIVE_CAP``), with the tuning the latest
    backtest chose, and keep the fit as today's model."""
    config = config or DealControlSettings.current()
    now = now or timezone.now()
    closed = Project.objects.filter(status__in=outcomes(config), closed_at__lt=now)
    lives = timeline.load(sample(closed, LIVE_CAP)).values()
    backtest = WinBacktest.objects.first()
    tuning = backtest.tuning if backtest and backtest.tuning else None
    parameters = fit_parameters(lives, defaults=stage_defaults(), config=config, tuning=tuning)
    day = timezone.localdate(now)
    model = WinModel.objects.filter(day=day).first() or WinModel(day=day)
    model.fitted_at, model.closed, model.won = now, parameters["closed"], parameters["won"]
    model.learned, model.parameters = parameters["learned"], parameters
    model.save()
    return model


READ_KEY = "forecasting:model-and-settings:2"


def model_and_settings() -> tuple[WinModel | None, DealControlSettings]:
    """The newest model and the thresholds, for pages: cached until either is saved again (``forget``)."""
    return cached(READ_KEY, lambda: (latest_model(), DealControlSettings.current()))


def forget(**kwargs: object) -> None:
    forget_keys(READ_KEY)


def latest_model(*, day: datetime.date | None = None) -> WinModel | None:
    """The newest fit (or the one fitted on ``day``)."""
    models = WinModel.objects.only("learned", "parameters", "fitted_at", "closed", "won", "day")
    return (models.filter(day=day) if day else models).first()


def current_states(
    queryset: QuerySet[Project], *, now: datetime.datetime
) -> Iterator[tuple[timeline.State, Mapping[str, Any]]]:
    """Open projects as they stand at ``now``, read in one query: (state, stored row)."""
    decision_makers = BuyingCenterMember.objects.filter(
        project=OuterRef("pk"), role=BuyingCenterMember.Role.DECISION_MAKER
    )
    troubled = decision_makers.filter(
        Q(attitude=BuyingCenterMember.Attitude.OPPONENT) | Q(closeness=BuyingCenterMember.Closeness.NONE)
    )
    rows = (
        queryset.annotate(has_decision_maker=Exists(decision_makers), troubled=Exists(troubled))
        .order_by()
        .values(
            "pk",
            "stage__number",
            "stage_entered_at",
            "customer_stage__number",
            "customer__category",
            "customer__industry",
            "customer__source",
            "owner_id",
            "has_decision_maker",
            "troubled",
            "win_probability",
            "win_reasons",
        )
    )
    for row in rows.iterator(chunk_size=5000):
        # Whole days: the probability moves once a day, not on every run of the roll-up.
        days = max((now - row["stage_entered_at"]).days, 0)
        state = timeline.State(
            project_id=row["pk"],
            stage=row["stage__number"],
            days=float(days),
            category=row["customer__category"] or "",
            industry=row["customer__industry"] or "",
            source=row["customer__source"] or "",
            red_flag=row["troubled"] or not row["has_decision_maker"],
            customer_stage=row["customer_stage__number"],
            owner_id=row["owner_id"],
            at=now,
        )
        yield state, row


def score_open_projects(
    *,
    model: WinModel | None,
    project_ids: Iterable[int] | None = None,
    config: DealControlSettings | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Write each open project's probability and its reasons; only changed rows are written."""
    now = now or timezone.now()
    defaults = stage_defaults()
    parameters = model.parameters if model and model.parameters.get("stage") else None
    queryset = Project.objects.open()
    if project_ids is not None:
        queryset = queryset.filter(pk__in=project_ids)
    changed = []
    for state, row in current_states(queryset, now=now):
        estimate = predict(parameters, state, default=defaults[state.stage])
        value = round(estimate.probability, 2)
        reasons = estimate.reasons()
        if abs(float(row["win_probability"]) - value) >= 0.005 or row["win_reasons"] != reasons:
            changed.append((row["pk"], value, reasons))
    _write(changed)
    return len(changed)


def settle(project: Project, *, now: datetime.datetime | None = None) -> None:
    """A project's probability as it stands after a change, written inside the change's transaction:
    100 won, 0 lost or abandoned, an open one scored by the newest model. With the roll-up's
    ``score_open_projects`` this is the only writer of ``Project.win_probability``."""
    reasons: dict = {}
    if project.status == Project.Status.WON:
        value = 100.0
    elif not project.is_open:
        value = 0.0
    else:
        model, _config = model_and_settings()
        parameters = model.parameters if model and model.parameters.get("stage") else None
        state, _row = next(current_states(Project.objects.filter(pk=project.pk), now=now or timezone.now()))
        estimate = predict(parameters, state, default=stage_defaults()[state.stage])
        value, reasons = round(estimate.probability, 2), estimate.reasons()
    Project.objects.filter(pk=project.pk).update(win_probability=value, win_reasons=reasons)
    project.win_probability, project.win_reasons = Decimal(f"{value:.2f}"), reasons


def _write(changed: list[tuple[int, float, dict]]) -> None:
    if not changed:
        return
    if connection.vendor != "postgresql":
        Project.objects.bulk_update(
            [Project(pk=pk, win_probability=value, win_reasons=reasons) for pk, value, reasons in changed],
            ["win_probability", "win_reasons"],
            batch_size=500,
        )
        return
    import json

    table = Project._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(changed), 5000):
            batch = changed[start : start + 5000]
            values = ", ".join(["(%s, %s::numeric, %s::jsonb)"] * len(batch))
            params = [x for pk, value, reasons in batch for x in (pk, value, json.dumps(reasons))]
            cursor.execute(
                f"UPDATE {table} AS p SET win_probability = v.p, win_reasons = v.r "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, p, r) WHERE p.id = v.id",
                params,
            )


def explain(project: Project, *, model: WinModel | None = None) -> Estimate:
    """What makes up this project's stored probability: the reasons stored with it by the last scoring."""
    cached_model, _config = model_and_settings()
    model = model if model is not None else cached_model
    default = float(project.stage.default_probability) / 100
    parameters = model.parameters if model and model.parameters.get("stage") else {}
    stage = parameters.get("stage", {}).get(str(project.stage.number), {})
    reasons = project.win_reasons or {}
    factors = [Factor(**f) for f in reasons.get("factors", [])]
    return Estimate(
        float(project.win_probability),
        default * 100,
        reasons.get("base"),
        stage.get("won", 0),
        stage.get("lost", 0),
        bool(parameters.get("learned")) and bool(reasons),
        factors,
        pending=bool(parameters) and not reasons,
    )
