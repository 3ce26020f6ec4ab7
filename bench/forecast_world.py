"""Synthetic sales histories whose true win propensity is known, to judge the win model against.

A project's hidden log-odds are its customer's category, industry and source effects plus its rep's
skill and its own noise (the last two invisible to the app). In each stage a stay begins with the
buying center either troubled (a red flag) or not and, from stage 3, the customer either lagging
two stages behind or in step; the stay ends in moving on (from stage 8: winning) with probability
``expit(go_on + η + red + lag)``, else in losing (some marked abandoned). A stay that ends in a loss
lasts ``linger`` times as long as one that moves on, so the doomed linger.

Because the stay's outcome is drawn with its flags and its length depends only on the outcome, the
chance that an open project wins is exact: the chance its current stay moves on given it has lasted
d days (Bayes over the two length distributions) times the expected go-on of every later stage.
``truth`` computes it; ``continue_from`` plays a project on by Monte Carlo, to check it.

``signal`` is a world where the visible factors matter and losers linger; ``null`` one where no
visible factor matters (the owner neither: every rep is as good) and every stay's length is drawn
the same way: only each project's own noise counts.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass, field

STAGES = range(1, 9)
USUAL = {1: 12, 2: 18, 3: 28, 4: 24, 5: 32, 6: 26, 7: 18, 8: 14}
SIGMA = {"advance": 0.5, "lose": 0.6}
GAP = 2  # the app's default 双轨相差阶段数


def _expit(x: float) -> float:
    return 1 / (1 + math.exp(-x))


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class World:
    name: str
    category: dict[str, float]
    industry: dict[str, float]
    source: dict[str, float]
    red: float  # log-odds of moving on with a troubled buying center
    lag: float  # ... with the customer lagging
    linger: float  # how many times longer a losing stay lasts
    go_on: float = _logit(0.84)
    skill_sd: float = 0.5
    noise_sd: float = 0.5
    p_red: float = 0.3
    p_lag: float = 0.25
    p_abandoned: float = 0.15

    def effect(self, factor: str, value: str) -> float:
        return getattr(self, factor).get(value, 0.0)

    def mean_effect(self, factor: str) -> float:
        levels = getattr(self, factor)
        return sum(levels.values()) / len(levels)

    def static(self, category: str, industry: str, source: str) -> float:
        return self.effect("category", category) + self.effect("industry", industry) + self.effect("source", source)


CATEGORIES = ("general", "important", "vip")
INDUSTRIES = (
    "aviation",
    "machinery",
    "electrical",
    "telecom",
    "tobacco",
    "information",
    "media",
    "government",
    "other",
)
SOURCES = ("advertising", "exhibition", "referral", "walk_in", "rep_prospecting")

SIGNAL = World(
    name="signal",
    category={"general": -0.35, "important": 0.0, "vip": 0.45},
    industry={
        "aviation": 0.3,
        "machinery": 0.0,
        "electrical": 0.1,
        "telecom": -0.25,
        "tobacco": 0.35,
        "information": 0.0,
        "media": -0.3,
        "government": 0.15,
        "other": -0.1,
    },  # fmt: skip
    source={"advertising": -0.3, "exhibition": 0.05, "referral": 0.4, "walk_in": 0.0, "rep_prospecting": -0.1},
    red=-0.9,
    lag=-0.7,
    linger=2.2,
)
NULL = World(
    name="null",
    category={c: 0.0 for c in CATEGORIES},
    industry={i: 0.0 for i in INDUSTRIES},
    source={s: 0.0 for s in SOURCES},
    red=0.0,
    lag=0.0,
    linger=1.0,
    skill_sd=0.0,  # reps are visible (the owner): in a world where nothing visible matters, none is better
)
WORLDS = {"signal": SIGNAL, "null": NULL}


def _survival(days: float, median: float, sigma: float) -> float:
    if days <= 0:
        return 1.0
    return 0.5 * math.erfc((math.log(days) - math.log(median)) / (sigma * math.sqrt(2)))


def go_on(world: World, eta: float, stage: int, red: bool, lag: bool) -> float:
    return _expit(world.go_on + eta + (world.red if red else 0.0) + (world.lag if lag else 0.0))


def expected_go_on(world: World, eta: float, stage: int) -> float:
    p_lag = world.p_lag if stage >= 3 else 0.0
    total = 0.0
    for red, pr in ((True, world.p_red), (False, 1 - world.p_red)):
        for lag, pl in ((True, p_lag), (False, 1 - p_lag)):
            if pr * pl:
                total += pr * pl * go_on(world, eta, stage, red, lag)
    return total


def truth(world: World, eta: float, stage: int, red: bool, lag: bool, days: float) -> float:
    """The exact chance that a project in this stay, lasted ``days`` so far, is won in the end."""
    g = go_on(world, eta, stage, red, lag)
    s_adv = _survival(days, USUAL[stage], SIGMA["advance"])
    s_lose = _survival(days, USUAL[stage] * world.linger, SIGMA["lose"])
    moves_on = g * s_adv / (g * s_adv + (1 - g) * s_lose) if g * s_adv + (1 - g) * s_lose > 0 else 0.0
    later = 1.0
    for j in range(stage + 1, 9):
        later *= expected_go_on(world, eta, j)
    return moves_on * later


@dataclass
class Stay:
    stage: int
    start: datetime.datetime
    end: datetime.datetime | None
    red: bool
    lag: bool


@dataclass
class Simulated:
    eta: float
    category: str
    industry: str
    source: str
    rep: int
    created: datetime.datetime
    stays: list[Stay] = field(default_factory=list)
    status: str = "open"
    closed: datetime.datetime | None = None


def _stay(world: World, rng: random.Random, eta: float, stage: int) -> tuple[bool, bool, bool, float]:
    red = rng.random() < world.p_red
    lag = stage >= 3 and rng.random() < world.p_lag
    advances = rng.random() < go_on(world, eta, stage, red, lag)
    median = USUAL[stage] * (1.0 if advances else world.linger)
    days = rng.lognormvariate(math.log(median), SIGMA["advance" if advances else "lose"])
    return red, lag, advances, days


def live(world: World, rng: random.Random, project: Simulated, now: datetime.datetime) -> Simulated:
    """Play the project from its creation until it closes or ``now`` comes."""
    at, stage = project.created, 1
    while True:
        red, lag, advances, days = _stay(world, rng, project.eta, stage)
        end = at + datetime.timedelta(days=days)
        if end >= now:
            project.stays.append(Stay(stage, at, None, red, lag))
            return project
        project.stays.append(Stay(stage, at, end, red, lag))
        if not advances:
            project.status = "abandoned" if rng.random() < world.p_abandoned else "lost"
            project.closed = end
            return project
        if stage == 8:
            project.status, project.closed = "won", end
            return project
        at, stage = end, stage + 1


def continue_from(world: World, rng: random.Random, eta: float, stage: int, red: bool, lag: bool, days: float):
    """One Monte-Carlo continuation of an open project: won or not."""
    g = go_on(world, eta, stage, red, lag)
    while True:  # the current stay's outcome, given it has lasted ``days`` (rejection)
        advances = rng.random() < g
        median = USUAL[stage] * (1.0 if advances else world.linger)
        if rng.lognormvariate(math.log(median), SIGMA["advance" if advances else "lose"]) > days:
            break
    if not advances:
        return False
    for j in range(stage + 1, 9):
        if not _stay(world, rng, eta, j)[2]:
            return False
    return True


@dataclass
class History:
    world: World
    now: datetime.datetime
    reps: list[float]  # skill of each rep
    projects: list[Simulated]

    @property
    def closed(self) -> list[Simulated]:
        return [p for p in self.projects if p.status != "open"]

    @property
    def open(self) -> list[Simulated]:
        return [p for p in self.projects if p.status == "open"]


def history(world: World, *, closed: int, open_projects: int, seed: int, now, years: float = 3.0, reps: int = 12):
    """``closed`` projects closed over the last ``years`` and ``open_projects`` still open at ``now``."""
    rng = random.Random(seed)
    skills = [rng.gauss(0, world.skill_sd) for _ in range(reps)]

    def new(created):
        category, industry, source = rng.choice(CATEGORIES), rng.choice(INDUSTRIES), rng.choice(SOURCES)
        rep = rng.randrange(reps)
        eta = world.static(category, industry, source) + skills[rep] + rng.gauss(0, world.noise_sd)
        return live(world, rng, Simulated(eta, category, industry, source, rep, created), now)

    span = datetime.timedelta(days=365 * years)
    done: list[Simulated] = []
    while len(done) < closed:
        p = new(now - span * rng.random())
        if p.status != "open":
            done.append(p)
    still: list[Simulated] = []
    while len(still) < open_projects:
        p = new(now - datetime.timedelta(days=400) * rng.random())
        if p.status == "open":
            still.append(p)
    return History(world, now, skills, done + still)
