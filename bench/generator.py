"""A realistic sales organisation's history, written in bulk.

Each project lives a simulated life: it enters stage 1, stays a while in each stage
(log-normal around the stage's usual length), goes on, slips back now and then, and
is lost, abandoned or won on the way; what is still running today stays open. Its
stage history, the customer's stage as the rep saw it, a call log and visit reports,
a buying center and a task come with it. Outcomes lean on the customer's category
and source and on the decision-maker's attitude, so the win-probability model has
something real to learn.

Rows go in with PostgreSQL's COPY (or executemany on SQLite), ids assigned here,
in chunks committed one by one, so ten years of a 500-rep organisation load in
minutes. Used by ``bench_data`` at any scale and by the demo for its history.
"""

from __future__ import annotations

import datetime
import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from customers.models import Customer
from forms_toolkit.models import CallLog, CallLogRow, FormRecord, StageForm, VisitFinding, VisitReport
from pipeline.models import (
    BuyingCenterMember,
    CustomerStageObservation,
    Project,
    ProjectMember,
    StageChange,
    StageDefinition,
    Task,
)

# Usual days in each stage, and the chance of moving on (from stage 8: of winning).
STAGE_DAYS = {1: 12, 2: 18, 3: 28, 4: 24, 5: 32, 6: 26, 7: 18, 8: 14}
GOES_ON = {1: 0.80, 2: 0.82, 3: 0.78, 4: 0.80, 5: 0.82, 6: 0.86, 7: 0.86, 8: 0.84}
CATEGORY_EDGE = {"vip": 0.07, "important": 0.03, "general": -0.02}
SOURCE_EDGE = {"referral": 0.04, "exhibition": 0.01, "advertising": -0.02}
ATTITUDES = ("supporter", "neutral", "opponent")


@dataclass
class Life:
    """What happened to one project: its moves (kind, stage, when) and how it stands now."""

    created: datetime.datetime
    moves: list[tuple[str, int, datetime.datetime]] = field(default_factory=list)
    observations: list[tuple[int, datetime.datetime]] = field(default_factory=list)
    status: str = "open"
    stage: int = 1
    entered: datetime.datetime | None = None
    closed: datetime.datetime | None = None
    furthest: int = 1
    customer_stage: int = 1
    edge: float = 0.0


def live(rng: random.Random, *, created, now, edge: float) -> Life:
    life = Life(created=created, moves=[("created", 1, created)], entered=created, edge=edge)
    stage, at = 1, created
    for _ in range(40):
        days = max(1, int(rng.lognormvariate(math.log(STAGE_DAYS[stage]), 0.6)))
        leaves = at + datetime.timedelta(days=days, hours=rng.randrange(0, 9))
        if leaves >= now:
            break
        cold = -0.15 if days > 2 * STAGE_DAYS[stage] else 0.0  # a deal left too long goes cold
        if rng.random() < min(GOES_ON[stage] + edge + cold, 0.97):
            if stage == 8:
                life.moves.append(("close_won", 8, leaves))
                life.status, life.closed = "won", leaves
                break
            if stage > 2 and rng.random() < 0.10:
                stage -= 1
                life.moves.append(("step_back", stage, leaves))
            else:
                stage += 1
                life.moves.append(("advance", stage, leaves))
            life.furthest = max(life.furthest, stage)
            if rng.random() < 0.9:
                seen = max(1, min(8, stage + rng.choice((-2, -1, -1, 0, 0, 0, 1))))
                life.observations.append((seen, leaves + datetime.timedelta(days=rng.randrange(0, 5))))
            at = leaves
            continue
        outcome = "abandoned" if rng.random() < 0.12 else "lost"
        life.moves.append((f"close_{outcome}", stage, leaves))
        life.status, life.closed = outcome, leaves
        break
    life.stage, life.entered = stage, at
    life.observations = [(s, when) for s, when in life.observations if when < now]
    life.customer_stage = life.observations[-1][0] if life.observations else 1
    return life


class Loader:
    """Writes rows to one model's table: COPY on PostgreSQL, executemany elsewhere. Ids are ours to assign."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.next_ids: dict[type, int] = {}
        self.written: dict[str, int] = {}

    def ids(self, model, n: int) -> range:
        if model not in self.next_ids:
            self.next_ids[model] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        start = self.next_ids[model]
        self.next_ids[model] = start + n
        return range(start, start + n)

    def write(self, model, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        fields = [model._meta.get_field(c) for c in columns]
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                prepared = [
                    [f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)] for row in rows
                ]
                cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)
        self.written[model._meta.label] = self.written.get(model._meta.label, 0) + len(rows)

    def reset_sequences(self) -> None:
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            for model in self.next_ids:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST((SELECT MAX(id) FROM {table}), 1))",
                    [table],
                )


PROJECT_COLUMNS = [
    "id", "number", "customer", "name", "description", "owner", "team", "amount", "currency", "exchange_rate",
    "amount_cny", "expected_close_date", "stage", "stage_entered_at", "customer_stage", "customer_stage_observed_on",
    "win_probability", "status", "lost_reason", "close_note", "success_story", "closed_at", "furthest_stage_number",
    "close_date_pushes", "peak_amount_cny", "last_activity_at", "created_at", "updated_at",
    "final_stay_stage_number", "final_stay_days", "win_reasons",
]  # fmt: skip
CHANGE_COLUMNS = [
    "project", "kind", "from_stage", "to_stage", "by", "at", "reason", "override_reason", "unmet_conditions",
    "customer_stage", "left_at", "days",
]  # fmt: skip
FORM_COLUMNS = [
    "id", "number", "project", "customer", "team", "filled_by", "filled_on", "status", "manager_advice",
    "awaiting_step", "submitted_at", "decided_at", "shareable", "version", "created_at", "updated_at",
]  # fmt: skip
RECORD_COLUMNS = [
    "form_code", "form_id", "number", "project", "customer", "team", "filled_by", "filled_on", "stage", "status",
    "awaiting_step", "manager_advice", "submitted_at", "decided_at",
]  # fmt: skip


def _records(code: str, rows: list[tuple], stage_at: int | None = None) -> list[tuple]:
    """FormRecord rows of forms written as FORM_COLUMNS rows (what StageForm.save writes for one)."""
    return [
        (code, r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[stage_at] if stage_at else None, r[7], r[9], r[8], r[10], r[11])
        for r in rows
    ]  # fmt: skip


CALL_ROW_COLUMNS = [
    "form", "seq", "time", "customer_name", "customer_code", "found_whom", "contact_method", "conversation",
    "follow_up", "next_contact_on", "promise", "work_to_do", "work_due_on",
]  # fmt: skip
VISIT_TEXT = [
    "visitee", "place", "main_content", "expected_result", "companions", "next_visit_place", "next_visit_purpose",
    "next_visit_plan", "next_actions",
]  # fmt: skip
LOST_REASONS = ("price", "relationship", "technical_fit", "competitor", "budget_cancelled")
PROJECT_NAMES = (
    "桥式起重机改造",
    "DCS 控制系统升级",
    "MES 实施",
    "液压系统改造",
    "智能巡检机器人",
    "精密空调",
    "焊接机器人工作站",
)


@dataclass
class Owner:
    pk: int
    team_id: int | None


@dataclass
class Buyer:
    pk: int
    name: str
    code: str
    category: str
    source: str
    owner: Owner
    contacts: list[int]


def history(
    *,
    buyers: list[Buyer],
    projects: int,
    years: float,
    seed: int = 1,
    closed_only: bool = False,
    chunk: int = 5000,
    progress: Callable[[int, dict], None] | None = None,
    loader: Loader | None = None,
) -> Loader:
    """Simulate ``projects`` projects started over the last ``years`` and write them with their paperwork."""
    rng = random.Random(seed)
    loader = loader or Loader()
    stages = {s.number: s for s in StageDefinition.objects.all()}
    now = timezone.now()
    span = datetime.timedelta(days=365 * years)
    done = 0
    while done < projects:
        n = min(chunk, projects - done)
        with transaction.atomic():
            _chunk(rng, loader, stages, buyers, n, now=now, span=span, closed_only=closed_only)
        done += n
        if progress:
            progress(done, dict(loader.written))
    loader.reset_sequences()
    return loader


def _chunk(rng, loader: Loader, stages, buyers: list[Buyer], n: int, *, now, span, closed_only) -> None:
    ids = loader.ids(Project, n)
    form_ids = iter(loader.ids(CallLog, n))
    project_rows, change_rows, observation_rows, member_rows = [], [], [], []
    call_rows, call_line_rows, visit_rows, finding_rows, buyer_rows, task_rows = [], [], [], [], [], []
    visits: list[tuple] = []
    for pid in ids:
        buyer = rng.choice(buyers)
        owner = buyer.owner
        edge = CATEGORY_EDGE.get(buyer.category, 0) + SOURCE_EDGE.get(buyer.source, 0)
        attitude = rng.choices(ATTITUDES, weights=(5, 4, 2))[0]
        edge += {"supporter": 0.04, "neutral": 0.0, "opponent": -0.12}[attitude]
        created = now - span * rng.random() ** 0.8
        life = live(rng, created=created, now=now, edge=edge)
        if closed_only and life.status == "open":
            life = _close_early(rng, life, now)
        amount = Decimal(int(rng.lognormvariate(math.log(2_000_000), 0.9)) // 1000 * 1000 + 50_000)
        peak = amount * Decimal("1.6") if rng.random() < 0.04 else amount
        pushes = rng.choices((0, 1, 2, 3, 4), weights=(70, 15, 8, 5, 2))[0]
        if life.status == "open":
            remaining = sum(STAGE_DAYS[s] for s in range(life.stage, 9))
            close_date = (now + datetime.timedelta(days=rng.randrange(-20, remaining + 60))).date()
        else:
            close_date = (life.closed - datetime.timedelta(days=rng.randrange(0, 20))).date()
        last_activity = life.closed or max(life.entered, now - datetime.timedelta(days=rng.randrange(0, 40)))
        probability = {"won": 100, "lost": 0, "abandoned": 0}.get(life.status, stages[life.stage].default_probability)
        number = f"XM-{created.year}-B{pid:07d}"
        final_stay = (None, None)  # the stay the close ended: (stage number, days)
        if life.status != "open":
            for i, (kind, number_, at) in enumerate(life.moves[:-1]):
                if kind in ("created", "advance", "step_back"):
                    final_stay = (number_, max((life.moves[i + 1][2] - at).days, 0))
        project_rows.append(
            (
                pid, number, buyer.pk, f"{buyer.name[:12]} {rng.choice(PROJECT_NAMES)}", "", owner.pk, owner.team_id,
                amount, "CNY", Decimal("1"), amount, close_date, stages[life.stage].pk, life.entered,
                stages[life.customer_stage].pk, (life.observations[-1][1] if life.observations else created).date(),
                Decimal(probability), life.status,
                rng.choice(LOST_REASONS) if life.status in ("lost", "abandoned") else "",
                "", "", life.closed, life.furthest, pushes, peak, last_activity, created, life.closed or life.entered,
                *final_stay, "{}" if loader.postgres else {},
            )
        )  # fmt: skip
        member_rows.append((pid, owner.pk, "account_manager", owner.team_id))
        previous = None
        stays = life.moves
        customer_seen = 1
        observations = iter(life.observations)
        next_seen = next(observations, None)
        for i, (kind, number_, at) in enumerate(stays):
            while next_seen and next_seen[1] <= at:
                customer_seen = next_seen[0]
                next_seen = next(observations, None)
            following = stays[i + 1][2] if i + 1 < len(stays) else None
            stay_kind = kind in ("created", "advance", "step_back")
            override = "客户口头确认,材料随后补齐。" if kind == "advance" and rng.random() < 0.03 else ""
            change_rows.append(
                (
                    pid, kind, stages[previous].pk if previous else None, stages[number_].pk, owner.pk, at,
                    "", override, "[]" if loader.postgres else [], stages[customer_seen].pk,
                    following if stay_kind and following else None,
                    max((following - at).days, 0) if stay_kind and following else None,
                )
            )  # fmt: skip
            previous = number_
        observation_rows.append((pid, stages[1].pk, created.date(), "", owner.pk, created))
        for seen, when in life.observations:
            observation_rows.append((pid, stages[seen].pk, when.date(), "", owner.pk, when))
        # The first call, and a visit report in every other stage the project went through.
        call_id = next(form_ids)
        call_on = created.date()
        call_rows.append(_form_row(call_id, "F01", pid, buyer, owner, call_on, created))
        for seq in (1, 2):
            call_line_rows.append(
                (
                    call_id, seq, None, buyer.name, buyer.code, "设备部", "电话", "介绍公司业绩,了解改造需求。",
                    "", call_on + datetime.timedelta(days=7), "", "", None,
                )
            )  # fmt: skip
        for kind, number_, at in life.moves[::2]:
            if kind in ("created", "advance", "step_back"):
                visits.append((pid, buyer, owner, at, stages[number_].pk))
        for contact in rng.sample(buyer.contacts, k=min(len(buyer.contacts), rng.randrange(2, 4))):
            role = "decision_maker" if contact == buyer.contacts[0] else rng.choice(("evaluator", "user", "initiator"))
            buyer_rows.append(
                (
                    pid, contact, "decision" if role == "decision_maker" else "management", "technical", role,
                    attitude if role == "decision_maker" else rng.choice(ATTITUDES),
                    rng.choice(("close", "frequent", "distant")),
                )
            )  # fmt: skip
        due = (life.entered + datetime.timedelta(days=7)).date()
        task_rows.append(
            (
                pid, buyer.pk, "next_contact", f"联络 {buyer.name[:20]}", owner.pk, owner.team_id, due, None,
                life.closed or (None if rng.random() < 0.6 else life.entered + datetime.timedelta(days=3)),
                owner.pk, life.entered,
            )
        )  # fmt: skip
    for visit_id, (pid, buyer, owner, at, stage_pk) in zip(loader.ids(VisitReport, len(visits)), visits, strict=True):
        visit_rows.append(
            (*_form_row(visit_id, "F05", pid, buyer, owner, at.date(), at), stage_pk, at, None, *[""] * 9)
        )
        finding_rows.append((visit_id, "技术交流", "方案得到技术部认可", "", "希望看到同类业绩"))
    loader.write(Project, PROJECT_COLUMNS, project_rows)
    loader.write(ProjectMember, ["project", "user", "role", "team"], member_rows)
    loader.write(StageChange, CHANGE_COLUMNS, change_rows)
    loader.write(CustomerStageObservation, ["project", "stage", "observed_on", "note", "by", "recorded_at"], observation_rows)  # fmt: skip
    loader.write(CallLog, FORM_COLUMNS, call_rows)
    loader.write(CallLogRow, CALL_ROW_COLUMNS, call_line_rows)
    loader.write(FormRecord, ["id", *RECORD_COLUMNS], _numbered(loader, _records("F01", call_rows)))
    loader.write(VisitReport, FORM_COLUMNS + ["visit_stage", "visited_at", "next_visit_at", *VISIT_TEXT], visit_rows)
    visit_records = _records("F05", visit_rows, stage_at=len(FORM_COLUMNS))
    loader.write(FormRecord, ["id", *RECORD_COLUMNS], _numbered(loader, visit_records))
    loader.write(VisitFinding, ["form", "key_factors", "our_successes", "our_failures", "customer_suggestions"], finding_rows)  # fmt: skip
    loader.write(
        BuyingCenterMember, ["project", "contact", "level", "department", "role", "attitude", "closeness"], buyer_rows
    )
    loader.write(
        Task,
        [
            "project",
            "customer",
            "kind",
            "title",
            "owner",
            "team",
            "due_date",
            "condition",
            "done_at",
            "created_by",
            "created_at",
        ],  # fmt: skip
        task_rows,
    )


def _close_early(rng, life: Life, now) -> Life:
    """For a history of closed projects only: a project still running today is played on to its own
    end, and its whole life moved back so that it ends before today (a forced loss at today's edge
    would make the last months look lost, and the win model's backtest of them meaningless)."""
    ended = live(rng, created=life.created, now=now + datetime.timedelta(days=3650), edge=life.edge)
    if ended.status == "open":  # forty stays without an end: lost where it stands
        ended.moves.append(("close_lost", ended.stage, ended.entered + datetime.timedelta(days=1)))
        ended.status, ended.closed = "lost", ended.entered + datetime.timedelta(days=1)
    back = ended.closed - (now - datetime.timedelta(days=rng.randrange(1, 30)))
    ended.created -= back
    ended.moves = [(kind, number, at - back) for kind, number, at in ended.moves]
    ended.observations = [(seen, at - back) for seen, at in ended.observations]
    ended.entered -= back
    ended.closed -= back
    return ended


def _form_row(form_id, code, pid, buyer: Buyer, owner: Owner, on, at) -> tuple:
    return (
        form_id, f"{code}-{on.year}-B{form_id:07d}", pid, buyer.pk, owner.team_id, owner.pk, on,
        StageForm.Status.APPROVED, "", "", at, at, False, 1, at, at,
    )  # fmt: skip


def _numbered(loader, rows: list[tuple]) -> list[tuple]:
    return [(pk, *row) for pk, row in zip(loader.ids(FormRecord, len(rows)), rows, strict=True)]


def buyers_of(customers: Iterable[Customer]) -> list[Buyer]:
    out = []
    for c in customers:
        contacts = [ct.pk for ct in c.contacts.all()]
        if contacts:
            out.append(Buyer(c.pk, c.name, c.code, c.category, c.source, Owner(c.owner_id, c.owner.team_id), contacts))
    return out
