"""Funnel, stage, forecast and rep-activity roll-ups.

Each is one or a few aggregate queries whose grouped rows are written to a summary
table; nothing here walks the projects one by one. With ``owner_ids`` a roll-up
recomputes just those reps' rows — the incremental path after a project changed,
which gives the same rows as a full recompute because it is the same query.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from contextlib import nullcontext
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, DateTimeField, DecimalField, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.models import User
from core.db import session_settings
from forecasting.models import (
    DealControlSettings,
    ForecastCategory,
    ForecastRollup,
    ForecastSnapshot,
    FunnelSnapshot,
    RepMonth,
    StageStat,
)
from forms_toolkit.models import CallLog, CallLogRow, FormRecord, VisitReport
from forms_toolkit.registry import registry
from pipeline.models import Project, StageChange, StageDefinition

CENT = Decimal("0.01")
WEIGHTED = ExpressionWrapper(
    F("amount_cny") * F("win_probability") / 100, output_field=DecimalField(max_digits=24, decimal_places=4)
)
ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=24, decimal_places=4))


def merged_with_projects():
    """Stage changes joined to their projects by merging the two in project order (the stays and
    advances indexes on stage changes, the projects' primary key): PostgreSQL would otherwise hash
    a million projects for each of those scans (about 0.7 s more each at reference scale)."""
    return session_settings(enable_hashjoin="off")


def month_start(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def shift_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _money(value) -> Decimal:
    # Half away from zero, as PostgreSQL's ROUND does in the incremental statement below.
    return Decimal(value or 0).quantize(CENT, rounding=ROUND_HALF_UP)


def _for_owners(queryset, owner_ids, path: str = "owner_id"):
    return queryset if owner_ids is None else queryset.filter(**{f"{path}__in": owner_ids})


def _replace(scope, rows: list, *, unique: tuple[str, ...], values: tuple[str, ...]) -> int:
    """Make ``scope`` hold exactly ``rows``: upsert on the unique key, delete the rest.

    Rows that did not change keep their identity, so running a roll-up twice leaves the same rows.
    """
    model = scope.model
    model.objects.bulk_create(
        rows, batch_size=2000, update_conflicts=True, unique_fields=list(unique), update_fields=list(values)
    )
    wanted = {tuple(getattr(row, f) for f in unique) for row in rows}
    stale = [pk for pk, *key in scope.values_list("pk", *unique) if tuple(key) not in wanted]
    for i in range(0, len(stale), 2000):
        model.objects.filter(pk__in=stale[i : i + 2000]).delete()
    return len(rows)


def _changed_only(table: str, columns) -> str:
    """The SET of an upsert that leaves a row alone when nothing in it changed: a nightly run
    rewrites a few of its tens of thousands of rows, not all of them (1.6 s of the forecast's 3)."""
    columns = list(columns)
    assignments = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns)
    ours = ", ".join(f"{table}.{c}" for c in columns)
    theirs = ", ".join(f"EXCLUDED.{c}" for c in columns)
    return f"{assignments} WHERE ({ours}) IS DISTINCT FROM ({theirs})"


# Funnel ------------------------------------------------------------------------------------------


@transaction.atomic
def funnel_refresh(*, day: datetime.date | None = None, owner_ids=None) -> int:
    """Today's open funnel per team × rep × stage (count, amount, weighted amount)."""
    day = day or timezone.localdate()
    rows = (
        _for_owners(Project.objects.open(), owner_ids)
        .order_by()
        .values("team_id", "owner_id", "stage_id")
        .annotate(count=Count("pk"), amount=Coalesce(Sum("amount_cny"), ZERO), weighted=Coalesce(Sum(WEIGHTED), ZERO))
    )
    snapshots = [
        FunnelSnapshot(
            day=day,
            team_id=row["team_id"],
            owner_id=row["owner_id"],
            stage_id=row["stage_id"],
            count=row["count"],
            amount=_money(row["amount"]),
            weighted=_money(row["weighted"]),
        )
        for row in rows
    ]
    return _replace(
        _for_owners(FunnelSnapshot.objects.filter(day=day), owner_ids),
        snapshots,
        unique=("day", "owner_id", "stage_id"),
        values=("team_id", "count", "amount", "weighted"),
    )


# Forecast ----------------------------------------------------------------------------------------


@transaction.atomic
def forecast_refresh(*, owner_ids=None, since: datetime.date | None = None) -> int:
    """Open amounts by expected close month and forecast category, and won amounts by close month, per rep.

    With ``since`` the won amounts of earlier months are left as they are (they do not change).
    """
    open_rows = (
        _for_owners(Project.objects.open(), owner_ids)
        .order_by()
        .values("team_id", "owner_id")
        .annotate(
            month=TruncMonth("expected_close_date"),
            category=Coalesce(F("forecast__category"), Value(ForecastCategory.PIPELINE)),
        )
        .values("team_id", "owner_id", "month", "category")
        .annotate(count=Count("pk"), amount=Coalesce(Sum("amount_cny"), ZERO), weighted=Coalesce(Sum(WEIGHTED), ZERO))
    )
    won = Project.objects.won().filter(closed_at__isnull=False)
    if since:
        won = won.filter(closed_at__gte=_start_of(since))
    won_rows = (
        _for_owners(won, owner_ids)
        .order_by()
        .annotate(month=TruncMonth("closed_at"))
        .values("team_id", "owner_id", "month")
        .annotate(count=Count("pk"), amount=Coalesce(Sum("amount_cny"), ZERO))
    )
    rollups = [
        ForecastRollup(
            month=month_start(row["month"]),
            team_id=row["team_id"],
            owner_id=row["owner_id"],
            category=row["category"],
            count=row["count"],
            amount=_money(row["amount"]),
            weighted=_money(row["weighted"]),
        )
        for row in open_rows
    ]
    rollups += [
        ForecastRollup(
            month=month_start(row["month"]),
            team_id=row["team_id"],
            owner_id=row["owner_id"],
            category=ForecastRollup.WON,
            count=row["count"],
            amount=_money(row["amount"]),
            weighted=_money(row["amount"]),
        )
        for row in won_rows
    ]
    scope = ForecastRollup.objects.all()
    if since:
        scope = scope.filter(~Q(category=ForecastRollup.WON) | Q(month__gte=since))
        rollups = [r for r in rollups if r.category != ForecastRollup.WON or r.month >= since]
    return _replace(
        _for_owners(scope, owner_ids),
        rollups,
        unique=("month", "owner_id", "category"),
        values=("team_id", "count", "amount", "weighted"),
    )


@transaction.atomic
def forecast_snapshot_take(*, month: datetime.date | None = None) -> int:
    """Freeze each rep's forecast for the month as it stands now, once: the first run in a month wins."""
    month = month_start(month or timezone.localdate())
    if ForecastSnapshot.objects.filter(month=month).exists():
        return 0
    totals: dict[int, dict] = {}
    for row in ForecastRollup.objects.filter(month=month).exclude(category=ForecastRollup.WON):
        entry = totals.setdefault(
            row.owner_id, {"team_id": row.team_id, "commit": 0, "best_case": 0, "pipeline": 0, "weighted": 0}
        )
        if row.category in (ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE):
            entry[row.category] += row.amount
            entry["weighted"] += row.weighted
    now = timezone.now()
    ForecastSnapshot.objects.bulk_create(
        [ForecastSnapshot(month=month, owner_id=owner_id, taken_at=now, **entry) for owner_id, entry in totals.items()]
    )
    return len(totals)


# Rep activity ------------------------------------------------------------------------------------

REP_MONTH_COUNTERS = tuple(
    f.name for f in RepMonth._meta.concrete_fields if f.name not in ("id", "month", "team", "owner")
)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@transaction.atomic
def rep_months_refresh(*, owner_ids=None, since: datetime.date | None = None) -> int:
    """Calls, visits, forms (and how many on time), advances, wins per rep and month (from ``since`` on)."""
    on_time_days = DealControlSettings.current().form_on_time_days
    if connection.vendor == "postgresql":
        return _rep_months_sql(owner_ids=owner_ids, since=since, on_time_days=on_time_days)
    return _rep_months_orm(owner_ids=owner_ids, since=since, on_time_days=on_time_days)


def _code(model) -> str:
    return registry.for_model(model).code


def _rep_months_orm(*, owner_ids, since: datetime.date | None, on_time_days: int) -> int:

    def after(field: str, moment: bool = False) -> dict:
        if since is None:
            return {}
        return {f"{field}__gte": _start_of(since) if moment else since}

    months: dict[tuple[int, datetime.date], dict] = defaultdict(lambda: defaultdict(int))

    def add(rows, owner_key: str, fields: dict[str, str]):
        for row in rows:
            entry = months[(row[owner_key], month_start(row["month"]))]
            for target, source in fields.items():
                entry[target] += row[source] or 0

    add(
        _for_owners(CallLogRow.objects.filter(**after("form__filled_on")), owner_ids, "form__filled_by_id")
        .order_by()
        .annotate(month=TruncMonth("form__filled_on"))
        .values("form__filled_by_id", "month")
        .annotate(n=Count("pk")),
        "form__filled_by_id",
        {"calls": "n"},
    )
    # On time: submitted before the end of the N-th day after the form's date.
    deadline = ExpressionWrapper(
        F("filled_on") + datetime.timedelta(days=on_time_days + 1), output_field=DateTimeField()
    )
    add(
        _for_owners(FormRecord.objects.filter(**after("filled_on")), owner_ids, "filled_by_id")
        .order_by()
        .annotate(month=TruncMonth("filled_on"), deadline=deadline)
        .values("filled_by_id", "month")
        .annotate(
            n=Count("pk"),
            submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
            on_time=Count("pk", filter=Q(submitted_at__lt=F("deadline"))),
            visits=Count("pk", filter=Q(form_code=_code(VisitReport))),  # a visit is an F05 visit report
            checked_in=Count("pk", filter=Q(form_code=_code(VisitReport), checked_in=True)),
        ),
        "filled_by_id",
        {
            "forms": "n",
            "forms_submitted": "submitted",
            "forms_on_time": "on_time",
            "visits": "visits",
            "visits_checked_in": "checked_in",
        },
    )
    add(
        _for_owners(
            StageChange.objects.filter(kind=StageChange.Kind.ADVANCE, **after("at", moment=True)),
            owner_ids,
            "project__owner_id",
        )
        .order_by()
        .annotate(month=TruncMonth("at"))
        .values("project__owner_id", "month")
        .annotate(n=Count("pk"), ahead=Count("pk", filter=Q(to_stage__number__gt=F("customer_stage__number")))),
        "project__owner_id",
        {"advances": "n", "ran_ahead": "ahead"},
    )
    cycle = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    for row in (
        _for_owners(Project.objects.filter(status__in=[Project.Status.WON, Project.Status.LOST]), owner_ids)
        .filter(closed_at__isnull=False, **after("closed_at", moment=True))
        .order_by()
        .annotate(month=TruncMonth("closed_at"))
        .values("owner_id", "month")
        .annotate(
            won=Count("pk", filter=Q(status=Project.Status.WON)),
            lost=Count("pk", filter=Q(status=Project.Status.LOST)),
            won_amount=Sum("amount_cny", filter=Q(status=Project.Status.WON)),
            cycle=Sum(cycle, filter=Q(status=Project.Status.WON)),
        )
    ):
        entry = months[(row["owner_id"], month_start(row["month"]))]
        entry["won"] += row["won"]
        entry["lost"] += row["lost"]
        entry["won_amount"] += _money(row["won_amount"])
        entry["cycle_days_total"] += max(row["cycle"].days, 0) if row["cycle"] else 0

    teams = dict(User.objects.filter(pk__in={owner for owner, _ in months}).values_list("pk", "team_id"))
    return _replace(
        _for_owners(RepMonth.objects.filter(month__gte=since) if since else RepMonth.objects.all(), owner_ids),
        [
            RepMonth(month=month, owner_id=owner, team_id=teams.get(owner), **entry)
            for (owner, month), entry in months.items()
            if owner in teams
        ],
        unique=("month", "owner_id"),
        values=("team_id", *REP_MONTH_COUNTERS),
    )


def _by_id_array(values: dict[int, int]) -> str:
    """A PostgreSQL ``int[]`` literal whose element at each id is its value (NULL between them)."""
    first, last = min(values, default=1), max(values, default=1)
    elements = ",".join(str(values.get(i, "NULL")) for i in range(first, last + 1))
    return f"[{first}:{last}]={{{elements}}}"


MONTHS_BACK, MONTHS_AHEAD = 15 * 12, 13


def _month_number(value: str, *, moment: bool) -> str:
    """SQL for the local month of a date or moment column as a number, year * 12 + month - 1.

    Inside the span of ``_month_span`` the month is found among the months' first instants by binary
    search (``width_bucket``): converting each of millions of moments to local time to truncate it
    was most of the roll-up's grouping. A value outside the span (a form dated 0202 by a typo) is
    read from the calendar, slower and just as exact.
    """
    kind, sql_type = ("moment", "timestamptz") if moment else ("day", "date")
    local = f"({value} AT TIME ZONE %(tz)s)" if moment else value
    return (
        f"CASE WHEN {value} >= %(span_{kind}_first)s AND {value} < %(span_{kind}_end)s"
        f" THEN %(span_number)s + width_bucket({value}, %(span_{kind}s)s::{sql_type}[]) - 1"
        f" ELSE (DATE_PART('year', {local}) * 12 + DATE_PART('month', {local}) - 1)::int END"
    )


def _month_span(since: datetime.date | None) -> dict:
    """The months ``_month_number`` looks up: from ``since`` (or fifteen years back) to a year ahead."""
    this_month = month_start(timezone.localdate())
    months = months_between(since or shift_months(this_month, -MONTHS_BACK), shift_months(this_month, MONTHS_AHEAD))
    moments = [_start_of(month) for month in months]
    end = shift_months(months[-1], 1)
    return {
        "span_number": months[0].year * 12 + months[0].month - 1,
        "span_days": months,
        "span_day_first": months[0],
        "span_day_end": end,
        "span_moments": moments,
        "span_moment_first": moments[0],
        "span_moment_end": _start_of(end),
    }


def _rep_months_sql(*, owner_ids, since: datetime.date | None, on_time_days: int) -> int:
    """The same rows as the ORM path above, summed and written by PostgreSQL in one statement.

    The full run spent most of its time in Python merging 28 grouped queries into rep-months and
    sending them back; here each source is grouped where it lies and only the row count comes back.
    """
    owners = None if owner_ids is None else list(owner_ids)
    params = {
        "owners": owners,
        "since": since,
        "since_moment": _start_of(since) if since else None,
        "tz": timezone.get_current_timezone_name(),
        "grace": datetime.timedelta(days=on_time_days + 1),
        "advance": StageChange.Kind.ADVANCE,
        "won": Project.Status.WON,
        "lost": Project.Status.LOST,
    } | _month_span(since)

    def scope(owner: str, day: str | None = None, moment: str | None = None) -> str:
        where = ["TRUE"]
        if owners is not None:
            where.append(f"{owner} = ANY(%(owners)s)")
        if since is not None and day:
            where.append(f"{day} >= %(since)s")
        if since is not None and moment:
            where.append(f"{moment} >= %(since_moment)s")
        return " AND ".join(where)

    def row(owner: str, month: str, **values: str) -> str:
        columns = ", ".join(values.get(name, "0") for name in REP_MONTH_COUNTERS)
        return f"SELECT {owner} AS owner_id, {month} AS month_number, {columns}"

    quote = connection.ops.quote_name
    form_month = _month_number("filled_on", moment=False)
    row_form = quote(CallLogRow._meta.get_field("form").column)
    sources = []
    # Every form from the forms' shared table: counted, submitted, on time, and the F05 visits among them.
    records = quote(FormRecord._meta.db_table)
    params["visit_code"], params["call_code"] = _code(VisitReport), _code(CallLog)
    sources.append(
        row(
            "filled_by_id",
            form_month,
            forms="COUNT(*)",
            forms_submitted="COUNT(submitted_at)",
            forms_on_time="COUNT(*) FILTER (WHERE submitted_at < filled_on + %(grace)s)",
            visits="COUNT(*) FILTER (WHERE form_code = %(visit_code)s)",
            visits_checked_in="COUNT(*) FILTER (WHERE form_code = %(visit_code)s AND checked_in)",
        )
        + f" FROM {records} WHERE {scope('filled_by_id', day='filled_on')} GROUP BY 1, 2"  # noqa: S608
    )
    # Each row of a call log (F01) is a call.
    call_rows = quote(CallLogRow._meta.db_table)
    if owners is None:
        calls, joined = (
            "COALESCE(SUM(calls.n), 0)",
            (
                f" JOIN (SELECT {row_form} AS form_id, COUNT(*) AS n FROM {call_rows} GROUP BY 1) calls"  # noqa: S608
                " ON calls.form_id = f.form_id"
            ),
        )
    else:
        # A few reps' call logs: their rows counted by the index, not every row of the table grouped
        # first (a project's refresh took 0.25 s on that at the reference scale).
        calls, joined = f"COALESCE(SUM((SELECT COUNT(*) FROM {call_rows} r WHERE r.{row_form} = f.form_id)), 0)", ""  # noqa: S608
    sources.append(
        row("f.filled_by_id", form_month, calls=calls) + f" FROM {records} f{joined} WHERE f.form_code = %(call_code)s"
        f" AND {scope('f.filled_by_id', day='f.filled_on')} GROUP BY 1, 2"
    )
    # Stage numbers looked up by id in an array: two joins per stage change cost more (0.6 s of 3.4 s).
    params["numbers"] = _by_id_array(dict(StageDefinition.objects.values_list("pk", "number")))
    sources.append(
        row(
            "p.owner_id",
            _month_number("c.at", moment=True),
            advances="COUNT(*)",
            ran_ahead="COUNT(*) FILTER (WHERE (%(numbers)s::int[])[c.to_stage_id]"
            " > (%(numbers)s::int[])[c.customer_stage_id])",
        )
        + f" FROM {quote(StageChange._meta.db_table)} c"
        f" JOIN {quote(Project._meta.db_table)} p ON p.id = c.project_id"
        f" WHERE c.kind = %(advance)s AND {scope('p.owner_id', moment='c.at')} GROUP BY 1, 2"
    )
    sources.append(
        row(
            "owner_id",
            _month_number("closed_at", moment=True),
            won="COUNT(*) FILTER (WHERE status = %(won)s)",
            lost="COUNT(*) FILTER (WHERE status = %(lost)s)",
            won_amount="COALESCE(SUM(amount_cny) FILTER (WHERE status = %(won)s), 0)",
            cycle_days_total="GREATEST(COALESCE(FLOOR(EXTRACT(EPOCH FROM "
            "SUM(closed_at - created_at) FILTER (WHERE status = %(won)s)) / 86400), 0), 0)",
        )
        + f" FROM {quote(Project._meta.db_table)}"
        f" WHERE status IN (%(won)s, %(lost)s) AND closed_at IS NOT NULL"
        f" AND {scope('owner_id', moment='closed_at')} GROUP BY 1, 2"
    )
    table = quote(RepMonth._meta.db_table)
    sums = ", ".join(
        f"ROUND(SUM({name}), 2)" if name == "won_amount" else f"SUM({name})" for name in REP_MONTH_COUNTERS
    )
    columns = ", ".join(REP_MONTH_COUNTERS)
    updates = _changed_only(table, ("team_id", *REP_MONTH_COUNTERS))
    kept = scope("r.owner_id", day="r.month")
    sql = f"""
        WITH activity (owner_id, month_number, {columns}) AS ({" UNION ALL ".join(sources)}),
        months AS (
            SELECT owner_id, MAKE_DATE(month_number / 12, month_number %% 12 + 1, 1) AS month, {sums}
            FROM activity GROUP BY owner_id, month_number
        ),
        gone AS (
            DELETE FROM {table} r WHERE {kept} AND NOT EXISTS (
                SELECT 1 FROM months m WHERE m.owner_id = r.owner_id AND m.month = r.month
            )
        )
        INSERT INTO {table} (owner_id, month, {columns}, team_id)
        SELECT m.*, u.team_id FROM months m JOIN {quote(User._meta.db_table)} u ON u.id = m.owner_id
        ON CONFLICT (month, owner_id) DO UPDATE SET {updates}
    """  # noqa: S608  (table names from _meta, values as parameters)
    # Everything: merged in project order. From a month on: the stage changes since then, by their date.
    with merged_with_projects() if since is None and owners is None else nullcontext():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount


# Stage conversion and days in stage --------------------------------------------------------------


def _median(histogram: dict[int, int]) -> int | None:
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for days in sorted(histogram):
        seen += histogram[days]
        if seen * 2 >= total:
            return days
    return None


@transaction.atomic
def stage_stats_refresh() -> int:
    """Per team and company: projects that reached each stage, went on, won, lost; days each stay lasted.

    Returns how many rows it wrote; ``stall_norms`` reads the company's medians back.
    """
    stages = list(StageDefinition.objects.order_by("number"))
    # Projects counted once per team, furthest stage and status, then summed up the stages here:
    # one count a row rather than twenty-four filtered ones (0.9 -> 0.4 s for a million projects).
    by_team: dict[int | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    grouped = Project.objects.order_by().values("team_id", "furthest_stage_number", "status").annotate(n=Count("*"))
    for row in grouped:
        entry, furthest, n = by_team[row["team_id"]], row["furthest_stage_number"] or 0, row["n"]
        for s in stages:
            if furthest >= s.number:
                entry[f"r{s.number}"] += n
                if row["status"] == Project.Status.WON:
                    entry[f"w{s.number}"] += n
                elif row["status"] == Project.Status.LOST:
                    entry[f"l{s.number}"] += n
    histograms: dict[tuple[int | None, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    stays = (
        StageChange.objects.stays()
        .filter(days__isnull=False)
        .order_by()
        .values("project__team_id", "to_stage_id", "days")
        .annotate(n=Count("*"))
    )
    with merged_with_projects():
        stays = list(stays)
    for row in stays:
        histograms[(row["project__team_id"], row["to_stage_id"])][row["days"]] += row["n"]
        histograms[(None, row["to_stage_id"])][row["days"]] += row["n"]
    company: defaultdict[str, int] = defaultdict(int)
    for counts in list(by_team.values()):
        for key, value in counts.items():
            company[key] += value
    by_team[None] = company

    now = timezone.now()
    stats = []
    for team_id, counts in by_team.items():
        if team_id is None and not company:
            continue
        for s in stages:
            histogram = histograms.get((team_id, s.pk), {})
            won_here = counts.get(f"w{s.number}", 0)
            stats.append(
                StageStat(
                    team_id=team_id,
                    stage=s,
                    reached=counts.get(f"r{s.number}", 0),
                    advanced=counts.get(f"r{s.number + 1}", 0) if s.number < 8 else won_here,
                    won=won_here,
                    lost=counts.get(f"l{s.number}", 0),
                    stays=sum(histogram.values()),
                    days_total=sum(days * n for days, n in histogram.items()),
                    median_days=_median(histogram),
                    computed_at=now,
                )
            )
    StageStat.objects.all().delete()
    StageStat.objects.bulk_create(stats)
    return len(stats)


def stall_norms(*, config: DealControlSettings | None = None) -> dict[int, int]:
    """Days after which a stay in each stage counts as stalled: the company median times the stall factor."""
    config = config or DealControlSettings.current()
    medians = {
        stat.stage.number: (stat.median_days if stat.stays >= 5 else None)
        for stat in StageStat.objects.filter(team__isnull=True).select_related("stage")
    }
    norms = {}
    for number in range(1, 9):
        median = medians.get(number)
        norms[number] = (
            max(int(Decimal(median) * config.stall_factor), 1) if median else int(config.stall_fallback_days)
        )
    return norms


# Together ----------------------------------------------------------------------------------------


def owner_rollups_refresh(*, owner_ids) -> None:
    """The incremental path: a project of these reps changed; their funnel and forecast rows follow.

    Won amounts are refreshed from last month on, like the scheduled run; a project reopened
    long after it was won is corrected by the daily full run.
    """
    funnel_and_forecast_refresh(owner_ids=owner_ids, since=shift_months(month_start(timezone.localdate()), -1))


def funnel_and_forecast_refresh(*, owner_ids=None, since: datetime.date | None = None) -> None:
    """What ``funnel_refresh`` and ``forecast_refresh`` write, for every rep or a few; on PostgreSQL one statement."""
    if connection.vendor != "postgresql":
        funnel_refresh(owner_ids=owner_ids)
        forecast_refresh(owner_ids=owner_ids, since=since)
        return
    owners = None if owner_ids is None else list(owner_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            _funnel_and_forecast_sql(for_owners=owners is not None, since=since is not None),
            {
                "owners": owners,
                "day": timezone.localdate(),
                "since": since,
                "since_moment": _start_of(since) if since else None,
                "tz": timezone.get_current_timezone_name(),
                "pipeline": ForecastCategory.PIPELINE,
                "won": ForecastRollup.WON,
            },
        )


def _funnel_and_forecast_sql(*, for_owners: bool, since: bool) -> str:
    """Each table's fresh rows upserted (unchanged rows left alone) and its other rows in scope deleted.

    The tests hold it to the ORM path and, after random moves, to a full recompute.
    """

    def mine(alias: str) -> str:
        return f"AND {alias}.owner_id = ANY(%(owners)s)" if for_owners else ""

    funnel, forecast = "forecasting_funnelsnapshot", "forecasting_forecastrollup"
    return f"""
WITH open_projects AS (
    SELECT p.team_id, p.owner_id, p.stage_id, p.amount_cny, p.expected_close_date,
           p.amount_cny * p.win_probability / 100 AS weighted,
           COALESCE(pf.category, %(pipeline)s) AS category
    FROM pipeline_project p LEFT JOIN forecasting_projectforecast pf ON pf.project_id = p.id
    WHERE p.status = 'open' {mine("p")}
), funnel AS (
    SELECT team_id, owner_id, stage_id, COUNT(*) AS n, SUM(amount_cny) AS amount, SUM(weighted) AS weighted
    FROM open_projects GROUP BY team_id, owner_id, stage_id
), funnel_gone AS (
    DELETE FROM {funnel} f
    WHERE f.day = %(day)s {mine("f")}
      AND NOT EXISTS (SELECT 1 FROM funnel WHERE funnel.owner_id = f.owner_id AND funnel.stage_id = f.stage_id)
), funnel_kept AS (
    INSERT INTO {funnel} (day, team_id, owner_id, stage_id, count, amount, weighted)
    SELECT %(day)s, team_id, owner_id, stage_id, n, ROUND(amount, 2), ROUND(weighted, 2) FROM funnel
    ON CONFLICT (day, owner_id, stage_id) DO UPDATE SET {_changed_only(funnel, ("team_id", "count", "amount", "weighted"))}
), forecast AS (
    SELECT DATE_TRUNC('month', expected_close_date)::date AS month, team_id, owner_id, category,
           COUNT(*) AS n, SUM(amount_cny) AS amount, SUM(weighted) AS weighted
    FROM open_projects GROUP BY 1, team_id, owner_id, category
    UNION ALL
    SELECT DATE_TRUNC('month', p.closed_at AT TIME ZONE %(tz)s)::date, p.team_id, p.owner_id, %(won)s,
           COUNT(*), SUM(p.amount_cny), SUM(p.amount_cny)
    FROM pipeline_project p
    WHERE p.status = 'won' AND p.closed_at IS NOT NULL {"AND p.closed_at >= %(since_moment)s" if since else ""}
      {mine("p")}
    GROUP BY 1, p.team_id, p.owner_id
), forecast_gone AS (
    DELETE FROM {forecast} r
    WHERE TRUE {mine("r")} {"AND (r.category <> %(won)s OR r.month >= %(since)s)" if since else ""}
      AND NOT EXISTS (
          SELECT 1 FROM forecast
          WHERE forecast.owner_id = r.owner_id AND forecast.month = r.month AND forecast.category = r.category
      )
)
INSERT INTO {forecast} (month, team_id, owner_id, category, count, amount, weighted)
SELECT month, team_id, owner_id, category, n, ROUND(amount, 2), ROUND(weighted, 2) FROM forecast
ON CONFLICT (month, owner_id, category) DO UPDATE SET {_changed_only(forecast, ("team_id", "count", "amount", "weighted"))}
"""  # noqa: S608  (as above)
