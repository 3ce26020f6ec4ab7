"""Write a synthetic history (``bench.forecast_world``) into the app, run the app's own backtest, fit
and scoring on it, and judge every predictor against the known truth.

Brier scores are expected ones: for a prediction p of a project whose true chance is π, the
expected (p − y)² is (p − π)² + π(1 − π), so the oracle's score is the mean π(1 − π) and no
outcome noise blurs the comparison.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Team, User
from bench.forecast_world import GAP, USUAL, History, truth
from contacts.models import Contact
from customers.models import Customer
from forecasting import backtest, probability, timeline
from forecasting.models import DealControlSettings
from pipeline.models import BuyingCenterMember, CustomerStageObservation, Project, StageChange, StageDefinition

PREDICTORS = ("app", "default", "rate", "logistic", "oracle")


class Rollback(Exception):
    pass


def evaluate(history: History) -> dict:
    """Everything measured on one history; the database is left as it was."""
    result: dict = {}
    try:
        with transaction.atomic():
            opened = write(history)
            result = _measure(history, opened)
            raise Rollback
    except Rollback:
        pass
    return result


def write(history: History) -> dict[int, tuple]:
    """The history as the app stores it; returns {project id: (simulated project, its current stay)}."""
    stages = {s.number: s for s in StageDefinition.objects.all()}
    team = Team.objects.create(name=f"回测{history.world.name}", region="华东")
    password = make_password(None)
    reps = User.objects.bulk_create(
        [
            User(
                username=f"fw-{i}", last_name="王", first_name=f"{i}", role=User.Role.REP, team=team, password=password
            )
            for i in range(len(history.reps))
        ]
    )
    customers, contacts = [], []
    for i, p in enumerate(history.projects):
        owner = reps[p.rep]
        customers.append(
            Customer(
                name=f"模拟客户{i:05d}有限公司",
                name_key=f"模拟客户{i:05d}",
                code=f"FW-{i:05d}",
                category=p.category,
                industry=p.industry,
                source=p.source,
                owner=owner,
                team=team,
                registered_on=p.created.date(),
                entered_by=owner,
            )
        )
    Customer.objects.bulk_create(customers, batch_size=1000)
    contacts = [Contact(customer=c, name=f"决策人{c.pk}", title="总经理", owner_id=c.owner_id) for c in customers]
    Contact.objects.bulk_create(contacts, batch_size=1000)
    projects = []
    for i, (p, customer) in enumerate(zip(history.projects, customers, strict=True)):
        last = p.stays[-1]
        seen = _customer_stage(last)
        projects.append(
            Project(
                number=f"FW-{i:06d}",
                customer=customer,
                name=f"模拟项目{i}",
                owner=reps[p.rep],
                team=team,
                amount=Decimal("1000000"),
                amount_cny=Decimal("1000000"),
                peak_amount_cny=Decimal("1000000"),
                expected_close_date=(p.closed or history.now).date() + datetime.timedelta(days=30),
                stage=stages[8 if p.status == "won" else last.stage],
                stage_entered_at=last.start,
                customer_stage=stages[seen],
                customer_stage_observed_on=last.start.date(),
                win_probability=stages[last.stage].default_probability,
                status=p.status,
                lost_reason="price" if p.status in ("lost", "abandoned") else "",
                closed_at=p.closed,
                furthest_stage_number=8 if p.status == "won" else max(s.stage for s in p.stays),
                last_activity_at=last.start,
            )
        )
    Project.objects.bulk_create(projects, batch_size=1000)
    for project, p in zip(projects, history.projects, strict=True):
        project.created_at = p.created
    Project.objects.bulk_update(projects, ["created_at"], batch_size=1000)
    changes, observations, members = [], [], []
    for project, p, contact in zip(projects, history.projects, contacts, strict=True):
        for j, stay in enumerate(p.stays):
            changes.append(
                StageChange(
                    project=project,
                    kind="created" if j == 0 else "advance",
                    from_stage=stages[p.stays[j - 1].stage] if j else None,
                    to_stage=stages[stay.stage],
                    by_id=project.owner_id,
                    at=stay.start,
                    customer_stage=stages[_customer_stage(stay)],
                    left_at=stay.end,
                    days=max((stay.end - stay.start).days, 0) if stay.end else None,
                )
            )
            observations.append(
                CustomerStageObservation(
                    project=project,
                    stage=stages[_customer_stage(stay)],
                    observed_on=stay.start.date(),
                    by_id=project.owner_id,
                    recorded_at=stay.start,
                )
            )
        if p.status != "open":
            kind = {"won": "close_won", "lost": "close_lost", "abandoned": "close_abandoned"}[p.status]
            last = p.stays[-1].stage
            changes.append(
                StageChange(
                    project=project,
                    kind=kind,
                    from_stage=stages[last],
                    to_stage=stages[8 if p.status == "won" else last],
                    by_id=project.owner_id,
                    at=p.closed,
                )
            )
        members.append(
            BuyingCenterMember(
                project=project,
                contact=contact,
                level="decision",
                department="technical",
                role="decision_maker",
                attitude="opponent" if p.stays[-1].red else "supporter",
                closeness="close",
            )
        )
    StageChange.objects.bulk_create(changes, batch_size=2000)
    CustomerStageObservation.objects.bulk_create(observations, batch_size=2000)
    BuyingCenterMember.objects.bulk_create(members, batch_size=2000)
    # The buying center's history: the decision maker's attitude as each stay began.
    Historical = BuyingCenterMember.history.model
    versions = []
    for member, p in zip(members, history.projects, strict=True):
        for j, stay in enumerate(p.stays):
            versions.append(
                Historical(
                    id=member.pk,
                    project_id=member.project_id,
                    contact_id=member.contact_id,
                    level="decision",
                    department="technical",
                    role="decision_maker",
                    attitude="opponent" if stay.red else "supporter",
                    closeness="close",
                    history_date=stay.start,
                    history_type="+" if j == 0 else "~",
                )
            )
    Historical.objects.bulk_create(versions, batch_size=2000)
    return {
        project.pk: (p, p.stays[-1])
        for project, p in zip(projects, history.projects, strict=True)
        if p.status == "open"
    }


def _customer_stage(stay) -> int:
    return max(stay.stage - GAP, 1) if stay.lag else stay.stage


def _measure(history: History, opened: dict[int, tuple]) -> dict:
    world, now = history.world, history.now
    config = DealControlSettings.current()
    tested = backtest.run(now=now, config=config)
    model = probability.fit(now=now, config=config)
    probability.score_open_projects(model=model, now=now)
    defaults = probability.stage_defaults()
    stored = dict(Project.objects.filter(pk__in=opened).values_list("pk", "win_probability"))
    reasons = dict(Project.objects.filter(pk__in=opened).values_list("pk", "win_reasons"))
    closed = Project.objects.filter(status__in=probability.outcomes(config), closed_at__lt=now)
    lives = list(timeline.load(closed).values())
    logistic = PlainLogistic(lives, usual=model.parameters["usual_days"], gap=config.stage_gap)
    plain = probability.stage_table(lives, defaults, 0.0)
    sums = {name: 0.0 for name in PREDICTORS}
    shown = right = with_reasons = 0
    states = {s.project_id: s for s, _row in probability.current_states(Project.objects.filter(pk__in=opened), now=now)}
    for pk, (p, stay) in opened.items():
        state = states[pk]
        pi = truth(world, p.eta, stay.stage, stay.red, stay.lag, state.days)
        entry = plain[str(stay.stage)]
        reached = entry["won"] + entry["lost"]
        predictions = {
            "app": float(stored[pk]) / 100,
            "default": defaults[stay.stage],
            "rate": entry["won"] / reached if reached else defaults[stay.stage],
            "logistic": logistic.predict(state),
            "oracle": pi,
        }
        for name, q in predictions.items():
            sums[name] += (q - pi) ** 2 + pi * (1 - pi)
        factors = reasons[pk].get("factors", [])
        with_reasons += bool(factors)
        for f in factors:
            shown += 1
            right += _right_way(history, p, stay, state.days, f)
    n = len(opened)
    return {
        "closed": len(history.closed),
        "open": n,
        **{name: sums[name] / n for name in PREDICTORS},
        "with_reasons": with_reasons / n,
        "shown": shown,
        "right": right,
        "backtest_brier": tested.brier,
        "tuning": model.parameters["tuning"],
    }


def _right_way(history: History, p, stay, days, factor: dict) -> bool:
    """Does the shown reason point the way the truth does (against the average project)?"""
    world = history.world
    raises = factor["points"] > 0
    code = factor["code"]
    if code == "owner":
        true = history.reps[p.rep] - sum(history.reps) / len(history.reps)
    elif code in ("category", "industry", "source"):
        true = world.effect(code, factor["value"]) - world.mean_effect(code)
    elif code == "red_flag":
        true = world.red
    elif code == "lagging":
        true = world.lag
    else:  # time in stage: the truth now against the truth on entering the stay
        true = truth(world, p.eta, stay.stage, stay.red, stay.lag, days) - truth(
            world, p.eta, stay.stage, stay.red, stay.lag, 0.0
        )
    if abs(true) < 1e-9:
        return False
    return (true > 0) == raises


class PlainLogistic:
    """An ordinary, unpenalised logistic regression on the app's point-in-time examples: stage,
    category, industry, source, red flag, lagging and the time-in-stage terms. A yardstick only."""

    def __init__(self, lives, *, usual: dict, gap: int):
        self.usual = {int(k): v for k, v in usual.items()}
        self.gap = gap
        self.columns: dict[tuple, int] = {}
        rows: dict[tuple, list] = {}
        for life in lives:
            y = 1 if life.won else 0
            for state in life.examples(self.usual):
                x = tuple(sorted(self._x(state, grow=True).items()))
                cell = rows.setdefault(x, [0, 0])
                cell[0] += 1
                cell[1] += y
        self.beta = _fit([(dict(x), n, w) for x, (n, w) in rows.items()], len(self.columns))

    def _x(self, state, grow=False) -> dict[int, float]:
        steps = probability.time_weights(state.days, self.usual[state.stage])
        names = [("stage", state.stage), *((g, getattr(state, g)) for g in probability.GROUPS if getattr(state, g))]
        if state.red_flag:
            names.append(("red", 1))
        if probability.lagging(state, self.gap):
            names.append(("lag", 1))
        x = {}
        for name in names:
            if name not in self.columns:
                if not grow:
                    continue
                self.columns[name] = len(self.columns)
            x[self.columns[name]] = 1.0
        for j, weight in steps.items():
            name = ("time", j)
            if name not in self.columns and grow:
                self.columns[name] = len(self.columns)
            if name in self.columns:
                x[self.columns[name]] = weight
        return x

    def predict(self, state) -> float:
        eta = sum(self.beta[i] * v for i, v in self._x(state).items() if i < len(self.beta))
        return 1 / (1 + math.exp(-max(min(eta, 30), -30)))


def _fit(cells, size: int, iterations: int = 50) -> list[float]:
    beta = [0.0] * size
    for _ in range(iterations):
        grad = [0.0] * size
        hess = [[1e-6 if i == j else 0.0 for j in range(size)] for i in range(size)]
        for x, n, won in cells:
            eta = sum(beta[i] * v for i, v in x.items())
            p = 1 / (1 + math.exp(-max(min(eta, 30), -30)))
            r, w = won - n * p, n * p * (1 - p)
            for i, vi in x.items():
                grad[i] += r * vi
                row = hess[i]
                for j, vj in x.items():
                    row[j] += w * vi * vj
        step = _solve(hess, grad)
        largest = max((abs(s) for s in step), default=0)
        if largest > 5:
            step = [s * 5 / largest for s in step]
        beta = [b + s for b, s in zip(beta, step, strict=True)]
        if largest < 1e-8:
            break
    return beta


def _solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        if abs(m[c][c]) < 1e-12:
            m[c][c] = 1e-12
        for r in range(n):
            if r != c and m[r][c]:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


__all__ = ["USUAL", "evaluate", "write"]
