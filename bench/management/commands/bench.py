"""Measure the main pages, the roll-ups and the PDFs against whatever database is configured.

Pages are requested in-process through Django's test client (no network, no gunicorn: the
figures are the server's own time), as a rep, a manager and a director. Each main query
is EXPLAINed on PostgreSQL and a sequential scan of a large table fails its row.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from contacts.models import Contact
from customers.models import Customer
from forecasting import rollups
from forecasting.refresh import refresh_all, refresh_project
from forms_toolkit import print_fonts
from forms_toolkit.models import CallLog, CallLogRow, VisitReport
from forms_toolkit.pdf import render_form_pdf
from forms_toolkit.registry import registry
from forms_toolkit.services import stage_form_create
from pipeline import services
from pipeline.models import Project, StageDefinition

PAGE_P95_MS, DASHBOARD_P95_MS, BOARD_P95_MS, MAX_QUERIES = 100, 50, 60, 8
ROLLUP_FULL_S, INCREMENTAL_MS = 10, 5
PDF_1_PAGE_P95_MS, PDF_1_PAGE_KIB, PDF_10_PAGES_MS = 300, 500, 1200
LARGE_TABLE_ROWS = 100_000
DASHBOARDS = {"manager dashboard", "company dashboard", "rep scorecard", "forecast", "anomalies"}


class Command(BaseCommand):
    help = "Benchmark pages (p50/p95/p99, queries, EXPLAIN), roll-ups and PDFs; print a table and write JSON."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--output", default="bench/results")
        parser.add_argument("--skip-rollup", action="store_true")
        parser.add_argument("--only", default="", help="measure only the pages whose name contains this")
        parser.add_argument(
            "--broker",
            default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/0"),
            help="the broker a 2-process worker takes the roll-up's Celery group from ('' to skip that row)",
        )

    def handle(self, *args, repeat, output, skip_rollup, only, broker, **options):
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        logging.getLogger("fontTools").setLevel(logging.WARNING)
        rep = (
            User.objects.filter(role=User.Role.REP, projects__status="open", team__isnull=False)
            .order_by("username")
            .first()
        )
        if rep is None:
            raise CommandError("No rep with open projects: load data first (manage.py bench_data --scale 0.01).")
        manager = User.objects.filter(role=User.Role.MANAGER, team=rep.team).first()
        director = User.objects.filter(role=User.Role.DIRECTOR).first()
        people = {"rep": rep, "manager": manager, "director": director}
        self._settle()
        large = self._large_tables()
        results = {
            "when": timezone.now().isoformat(),
            "database": connection.vendor,
            "projects": Project.objects.count()
            if connection.vendor != "postgresql"
            else self._estimate("pipeline_project"),
            "client": "django.test.Client (in-process, server time only)",
            "pages": [],
        }
        for name, path, roles in self._pages(rep, manager):
            if only not in name:
                continue
            for role in roles:
                user = people[role]
                if user is None:
                    continue
                results["pages"].append(self._measure(name, path, role, user, repeat, large))
                self._print_row(results["pages"][-1])
        if only in "complete project page":
            project = Project.objects.filter(owner=rep, status="open").order_by("pk").first()
            for role, user in people.items():
                results["pages"].append(self._measure_whole_project(project, role, user, repeat))
                self._print_row(results["pages"][-1])
        if not skip_rollup and not only:
            for kind, full in (("full", True), ("scheduled", False)):
                runs = []
                for _ in range(3):
                    started = time.perf_counter()
                    timings = refresh_all(full=full)
                    runs.append(round(time.perf_counter() - started, 2))
                    self.stdout.write(
                        f"{kind} roll-up: {runs[-1]:.2f} s { ({k: round(v, 2) for k, v in timings.items()}) }"
                    )
                results[f"rollup_{kind}_s"] = max(runs)
                results[f"rollup_{kind}_runs_s"] = runs
                results[f"rollup_{kind}_steps_s"] = {k: round(v, 3) for k, v in timings.items()}
                self.stdout.write(f"{kind} roll-up, slowest of {len(runs)}: {max(runs):.2f} s")
            if broker:
                results["rollup_full_group_runs_s"] = self._rollup_as_group(broker)
                results["rollup_full_group_s"] = max(results["rollup_full_group_runs_s"])
            # The beat's roll-up is the group; in-process the halves run one after the other.
            measured = results.get("rollup_full_group_s", results["rollup_full_s"])
            results["rollup_full_ok"] = measured <= ROLLUP_FULL_S
            self._verdict(results["rollup_full_ok"], f"full roll-up ≤ {ROLLUP_FULL_S} s ({measured:.2f} s)")
        if not only:
            results["incremental"] = self._incremental(rep, manager)
            self.stdout.write(f"incremental per stage change: {results['incremental']}")
            median = results["incremental"]["funnel_and_forecast_rows_ms_median"]
            results["incremental"]["ok"] = median is not None and median <= INCREMENTAL_MS
            self._verdict(results["incremental"]["ok"], f"incremental ≤ {INCREMENTAL_MS} ms")
            results["pdf"] = self._pdfs(rep)
            self.stdout.write(f"pdf: {results['pdf']}")
            self._verdict(results["pdf"]["ok"], "PDFs", results["pdf"]["problems"])
        folder = Path(settings.BASE_DIR) / output
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"bench-{timezone.now():%Y%m%d-%H%M%S}.json"
        target.write_text(json.dumps(results, ensure_ascii=False, indent=2))
        self.stdout.write(f"written to {target}")

    def _settle(self) -> None:
        """Where autovacuum is off (this development machine's PostgreSQL), do what it would have done
        since the last run: the roll-ups rewrite probabilities and rows, and index-only scans of pages
        left without their visibility bits read the table as well (the board's p95 went 85 -> 114 ms)."""
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            if cursor.fetchone()[0] == "on":
                return
            self.stdout.write("autovacuum is off on this server: VACUUM ANALYZE first, as it would have run")
            cursor.execute("VACUUM (ANALYZE)")

    # What is measured ---------------------------------------------------------------------------

    def _pages(self, rep, manager):
        project = Project.objects.filter(owner=rep, status="open").order_by("pk").first()
        customer = Customer.objects.filter(owner=rep).order_by("pk").first()
        visit = self._draft_visit(rep, project)
        everyone, bosses = ("rep", "manager", "director"), ("manager", "director")
        pages = [
            ("home", "/", everyone),
            ("my day", "/projects/my-day/", everyone),
            ("funnel board", "/projects/board/", everyone),
            ("project list", "/projects/", everyone),
            ("project list, page 50", "/projects/?page=50", everyone),
            ("project detail", project.get_absolute_url(), everyone),
            *(
                (f"project detail: {section}", f"{project.get_absolute_url()}sections/{section}/", everyone)
                for section in ("control", "people", "paperwork", "history")
            ),
            *self._searches(rep, project, customer),
            ("customer list", "/customers/", everyone),
            ("customer detail", customer.get_absolute_url(), everyone),
            ("form create (F05)", f"/forms/F05/new/?project={project.pk}", ("rep",)),
            ("forms list", "/forms/", everyone),
            ("case library", "/projects/cases/", everyone),
            ("approval queue", "/forms/queue/", bosses),
            ("manager dashboard", f"/control/teams/{rep.team_id}/", bosses),
            ("company dashboard", "/control/company/", ("director",)),
            ("rep scorecard", f"/control/reps/{rep.pk}/", everyone),
            ("forecast", "/control/forecast/", everyone),
            ("anomalies", "/control/anomalies/", everyone),
        ]
        if visit:
            pages.insert(
                1 + [p[0] for p in pages].index("form create (F05)"),
                ("form edit (F05)", f"/forms/F05/{visit.pk}/edit/", ("rep",)),
            )
        return pages

    def _searches(self, rep, project, customer):
        """Each list's search box: a term that matches nothing (long and two characters), a common one,
        and a number (project number, customer code, phone, form number)."""
        everyone = ("rep", "manager", "director")
        contact = Contact.objects.filter(customer=customer).exclude(phone="").order_by("pk").first()
        form = VisitReport.objects.filter(filled_by=rep).exclude(number="").order_by("pk").first()
        terms = {
            "/projects/": [
                ("rare", "没有这种项目"),
                ("rare, 2 chars", "罕见"),
                ("common", "系统"),
                ("number", project.number),
            ],
            "/customers/": [
                ("rare", "没有这种客户"),
                ("rare, 2 chars", "罕见"),
                ("common", "重工"),
                ("number", customer.code),
            ],
            "/contacts/": [
                ("rare", "没有这个人"),
                ("common", "经理"),
                ("number", contact.phone if contact else "138"),
            ],
            "/forms/": [("rare", "没有这种表"), ("common", "F05"), ("number", form.number if form else "F05-")],
        }
        names = {"/projects/": "project", "/customers/": "customer", "/contacts/": "contact", "/forms/": "forms"}
        return [
            (f"{names[path]} search: {kind}", f"{path}?{urlencode({'q': term})}", everyone)
            for path, rows in terms.items()
            for kind, term in rows
        ]

    def _measure_whole_project(self, project, role, user, repeat) -> dict:
        """The project page as a browser loads it: the head, then its four sections (htmx), timed together."""
        client = Client()
        client.force_login(user)
        url = project.get_absolute_url()
        parts = [
            (url, {}),
            *((f"{url}sections/{s}/", {"HX-Request": "true"}) for s in ("control", "people", "paperwork", "history")),
        ]

        def load():
            return [client.get(path, headers=headers).status_code for path, headers in parts]

        load()
        statuses, queries = [], 0
        for path, headers in parts:  # one capture a request: each request's start clears the query log
            reset_queries()
            with CaptureQueriesContext(connection) as capture:
                statuses.append(client.get(path, headers=headers).status_code)
            queries += len(capture.captured_queries)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            load()
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        row = {
            "page": "complete project page (head + 4 sections)",
            "role": role,
            "status": max(statuses),
            "queries": queries,
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 1),
            "seq_scans": [],
            "limit_ms": PAGE_P95_MS,
        }
        row["ok"] = set(statuses) == {200} and row["p95_ms"] <= PAGE_P95_MS
        return row

    def _rollup_as_group(self, broker: str, runs: int = 3) -> list[float]:
        """The full roll-up as the beat sends it (``forecasting.rollup_all``: a Celery group of its two
        halves) to a worker of two processes on ``broker``, timed from sending to both halves done."""
        from celery import Celery

        queue = f"bench-rollup-{os.getpid()}"
        env = {**os.environ, "CELERY_BROKER_URL": broker, "CELERY_QUEUE": queue}
        done = re.compile(r"Task forecasting\.rollup_(deal_control|activity)\[[^\]]+\] succeeded")
        # A client of its own: the project's app may already hold a producer for the broker it started with.
        sender = Celery("crm-bench", broker=broker)
        times = []
        with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
            arguments = f"-A config worker --concurrency 2 -Q {queue} --loglevel INFO --without-gossip --without-mingle"
            worker = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
                [sys.executable, "-m", "celery", *arguments.split()], stdout=log, stderr=subprocess.STDOUT, env=env
            )
            try:
                self._wait_for(log, lambda text: "ready." in text, timeout=60)
                for _ in range(runs):
                    before = len(done.findall(Path(log.name).read_text()))
                    started = time.perf_counter()
                    sender.send_task("forecasting.rollup_all", args=(True,), queue=queue)
                    self._wait_for(log, lambda text, n=before: len(done.findall(text)) >= n + 2, timeout=900)
                    times.append(round(time.perf_counter() - started, 2))
                    self.stdout.write(f"full roll-up as a Celery group on 2 worker processes: {times[-1]:.2f} s")
            finally:
                worker.terminate()
                worker.wait(timeout=60)
                sender.close()
        return times

    @staticmethod
    def _wait_for(log, ready, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not ready(Path(log.name).read_text()):
            if time.monotonic() > deadline:
                raise CommandError(
                    f"the roll-up worker did not answer in {timeout:.0f} s: {Path(log.name).read_text()[-2000:]}"
                )
            time.sleep(0.2)

    def _draft_visit(self, rep, project):
        """A draft visit report of the rep's to edit (generated forms are approved: their edit page redirects)."""
        draft = VisitReport.objects.filter(filled_by=rep, status="draft").order_by("pk").first()
        if draft is None:
            draft = stage_form_create(
                form_type=registry.get("F05"),
                form=VisitReport(
                    visit_stage=project.stage,
                    filled_on=timezone.localdate(),
                    visited_at=timezone.now(),
                    main_content="bench",
                ),
                formsets={},
                by=rep,
                project=project,
            )
        return draft

    def _measure(self, name, path, role, user, repeat, large) -> dict:
        client = Client()
        client.force_login(user)
        headers = {"HX-Request": "true"} if "/sections/" in path else {}  # sections load as htmx fragments
        for _ in range(2):
            response = client.get(path, headers=headers)
        times, status = [], response.status_code
        reset_queries()  # with DEBUG on the log is a bounded deque: a full one would count nothing
        with CaptureQueriesContext(connection) as capture:
            response = client.get(path, headers=headers)
        queries = list(capture.captured_queries)  # read now: the next request clears the connection's log
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path, headers=headers)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        scans = self._seq_scans(queries, large)
        limit = (
            DASHBOARD_P95_MS
            if name.split(",")[0] in DASHBOARDS
            else BOARD_P95_MS
            if name == "funnel board"
            else PAGE_P95_MS
        )
        row = {
            "page": name,
            "role": role,
            "status": status,
            "queries": len(queries),
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "p99_ms": round(times[int(len(times) * 0.99) - 1], 1),
            "seq_scans": scans,
            "limit_ms": limit,
        }
        row["ok"] = status == 200 and row["p95_ms"] <= limit and row["queries"] <= MAX_QUERIES and not scans
        return row

    def _incremental(self, rep, manager) -> dict:
        """Advance open projects one stage and time the roll-up refresh that follows (rolled back after)."""
        projects = list(Project.objects.filter(owner=rep, status="open", stage__number__lt=8).order_by("pk")[:20])
        stages = {s.number: s for s in StageDefinition.objects.all()}
        funnel, whole = [], []
        with transaction.atomic():
            for project in projects:
                services.project_advance_stage(
                    project=project, to_stage=stages[project.stage.number + 1], by=manager, override_reason="bench"
                )
                started = time.perf_counter()
                rollups.owner_rollups_refresh(owner_ids=[project.owner_id])
                funnel.append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                refresh_project(project_id=project.pk, owner_ids=[project.owner_id])
                whole.append((time.perf_counter() - started) * 1000)
            transaction.set_rollback(True)
        return {
            "changes": len(projects),
            "funnel_and_forecast_rows_ms_median": round(statistics.median(funnel), 2) if funnel else None,
            "with_probability_and_anomalies_ms_median": round(statistics.median(whole), 2) if whole else None,
        }

    def _pdfs(self, rep) -> dict:
        out = {}
        visit = VisitReport.objects.filter(filled_by=rep).first()
        form_type = registry.get("F05")
        render_form_pdf(form_type=form_type, form=visit, user=rep)  # a server's first PDF loads the fonts
        times = []
        for _ in range(20):
            started = time.perf_counter()
            content = render_form_pdf(form_type=form_type, form=visit, user=rep)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out["1_page"] = {
            "renders": len(times),
            "p95_ms": round(times[int(len(times) * 0.95) - 1], 1),
            "max_ms": round(times[-1], 1),
            "median_ms": round(statistics.median(times), 1),
            "kib": len(content) // 1024,
        }
        with transaction.atomic():
            calls = CallLog.objects.filter(filled_by=rep).first()
            form_type, last, pages = registry.get("F01"), calls.rows.count(), 0
            while pages < 10:  # a call log of as many calls as fill ten pages
                CallLogRow.objects.bulk_create(
                    [
                        CallLogRow(
                            form=calls, seq=seq, customer_name="基准重工", found_whom="设备部", contact_method="电话",
                            conversation="介绍公司业绩,了解改造需求,约定下次拜访时间。" * 2,
                            next_contact_on=datetime.date.today(),
                        )
                        for seq in range(last + 1, last + 17)
                    ]
                )  # fmt: skip
                last += 16
                pages = _page_count(render_form_pdf(form_type=form_type, form=calls, user=rep)) or 10
            times = []
            for _ in range(5):
                started = time.perf_counter()
                content = render_form_pdf(form_type=form_type, form=calls, user=rep)
                times.append((time.perf_counter() - started) * 1000)
            pages, calls_printed = _page_count(content), calls.rows.count()
            transaction.set_rollback(True)
        out["long"] = {
            "pages": pages,
            "calls": calls_printed,
            "renders": len(times),
            "median_ms": round(statistics.median(times), 1),
            "max_ms": round(max(times), 1),
            "kib": len(content) // 1024,
        }
        out["problems"] = self._pdf_problems(out)
        out["ok"] = not out["problems"]
        return out

    def _pdf_problems(self, pdf: dict) -> list[str]:
        problems = []
        if no_font := print_fonts.missing():
            # every Chinese character a blank box: the figures are a smaller, faster, wrong document
            problems.append(f"no Chinese font ({no_font}): install fonts-noto-cjk")
        one, long = pdf["1_page"], pdf["long"]
        if one["p95_ms"] > PDF_1_PAGE_P95_MS or one["kib"] > PDF_1_PAGE_KIB:
            problems.append(f"1 page over {PDF_1_PAGE_P95_MS} ms p95 or {PDF_1_PAGE_KIB} KiB")
        if long["pages"] is None:
            problems.append("pages not counted: install poppler-utils (pdfinfo)")
        elif long["pages"] < 10 or long["median_ms"] > PDF_10_PAGES_MS:
            problems.append(
                f"{long['pages']} pages, median {long['median_ms']} ms (10 pages in ≤ {PDF_10_PAGES_MS} ms)"
            )
        return problems

    def _verdict(self, ok: bool, target: str, problems=()) -> None:
        self.stdout.write(f"{'ok ' if ok else 'FAIL':<4} {target}{': ' + '; '.join(problems) if problems else ''}")

    # EXPLAIN ----------------------------------------------------------------------------------

    def _large_tables(self) -> set[str]:
        if connection.vendor != "postgresql":
            return set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [LARGE_TABLE_ROWS])
            return {row[0] for row in cursor.fetchall()}

    def _estimate(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def _seq_scans(self, queries, large: set[str]) -> list[str]:
        if not large:
            return []
        found = set()
        with connection.cursor() as cursor:
            for q in queries:
                sql = q["sql"]
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute(f"EXPLAIN {sql}")
                for (line,) in cursor.fetchall():
                    if "Seq Scan on" in line:
                        table = line.split("Seq Scan on", 1)[1].split()[0]
                        if table in large:
                            found.add(table)
        return sorted(found)

    def _print_row(self, row) -> None:
        mark = "ok " if row["ok"] else "SLOW" if row["status"] == 200 else f"{row['status']}"
        scans = f" seq scan: {', '.join(row['seq_scans'])}" if row["seq_scans"] else ""
        self.stdout.write(
            f"{mark:<4} {row['page']:<24} {row['role']:<9} q={row['queries']:<3} "
            f"p50={row['p50_ms']:>7.1f} p95={row['p95_ms']:>7.1f} p99={row['p99_ms']:>7.1f} ms"
            f" (≤{row['limit_ms']}){scans}"
        )
        self.stdout.flush()


def _page_count(content: bytes) -> int | None:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(content)
        f.flush()
        try:
            info = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return None
    return next((int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:")), None)
