"""Imports, as the page drives them: upload (the header read and matched), map, check (a dry run:
everything written, then rolled back), import (the same, committed: one transaction), cancel, undo.

Lines are read streaming and handed to django-import-export a chunk at a time, so a file of any
length holds one chunk in memory; progress goes to the cache, outside the import's transaction,
for the page to poll."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import tablib
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import attribute_change
from imports.models import ImportRow, ImportRun
from imports.reading import Table, UnreadableFile, normalise_label, open_table
from imports.resources import RESOURCES, ContactResource, ImportResource, Scope

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

CHUNK = 500
MAX_BYTES = 50 * 1024 * 1024
Outcome = ImportRow.Outcome


class ImportRefused(ValueError):
    """What the user asked cannot be done now; the message says why."""


def _table(run: ImportRun, *, count: bool = True) -> Table:
    resource = RESOURCES[run.kind]
    lookup = resource.column_lookup()
    return open_table(lambda: run.file.open("rb"), run.file_name, lambda label: label in lookup, count=count)


def mapping_guess(kind: str, headers: list[str]) -> list[str]:
    """Each column's field by its header (the paper's label, the English name or a common alias); a field once."""
    lookup = RESOURCES[kind].column_lookup()
    taken: set[str] = set()
    mapping = []
    for header in headers:
        name = lookup.get(normalise_label(header), "")
        if name in taken:
            name = ""
        taken.add(name)
        mapping.append(name)
    return mapping


@transaction.atomic
def import_upload(*, kind: str, upload: UploadedFile, by: User) -> ImportRun:
    """Keep the file and read its header: the run waits for its columns to be confirmed."""
    if kind not in RESOURCES:
        raise ImportRefused(_("未知的导入内容。"))
    if upload.size and upload.size > MAX_BYTES:
        raise ImportRefused(_("文件太大(上限 50 MB)。"))
    run = ImportRun(kind=kind, file_name=(upload.name or "import")[:200], created_by=by, team_id=by.team_id)
    run.file.save(run.file_name, upload, save=False)
    try:
        table = _table(run)
    except UnreadableFile as error:
        run.file.delete(save=False)
        raise ImportRefused(str(error)) from error
    run.headers, run.header_line, run.total = table.headers, table.header_line, table.estimated_rows
    run.mapping = mapping_guess(kind, table.headers)
    attribute_change(run, by)
    run.save()
    return run


def sample_rows(run: ImportRun, count: int = 3) -> list[list[Any]]:
    rows = []
    for _line, values in _table(run, count=False).rows():
        rows.append(values)
        if len(rows) == count:
            break
    return rows


@transaction.atomic
def import_map(*, run: ImportRun, mapping: list[str], by: User) -> ImportRun:
    """The user's choice of field per column; refused when a field is chosen twice or a required one is missing."""
    run = _locked(run, ImportRun.Status.UPLOADED, ImportRun.Status.CHECKED)
    resource = RESOURCES[run.kind]
    names = {c.name: c for c in resource.columns}
    mapping = [m if m in names else "" for m in mapping][: len(run.headers)]
    mapping += [""] * (len(run.headers) - len(mapping))
    chosen = [m for m in mapping if m]
    twice = {m for m in chosen if chosen.count(m) > 1}
    if twice:
        raise ImportRefused(
            _("同一个字段只能对应一列:%(fields)s") % {"fields": "、".join(str(names[m].label) for m in sorted(twice))}
        )
    missing = [c for c in resource.columns if c.required and c.name not in chosen]
    if run.kind == "projects" and "number" in chosen:  # updates by 项目编号: the rest may stay as it is
        missing = [c for c in missing if c.name in ("customer", "name")]
    if missing:
        raise ImportRefused(_("缺少必需的列:%(fields)s") % {"fields": "、".join(str(c.label) for c in missing)})
    run.mapping = mapping
    run.status = ImportRun.Status.CHECKING
    run.counts = {}
    attribute_change(run, by)
    run.save()
    _progress_reset(run)
    return run


@transaction.atomic
def import_remap(*, run: ImportRun, by: User) -> ImportRun:
    """From the check back to the columns (nothing was written)."""
    run = _locked(run, ImportRun.Status.CHECKED, ImportRun.Status.FAILED)
    run.status = ImportRun.Status.UPLOADED
    run.error = ""
    attribute_change(run, by)
    run.save()
    ImportRow.objects.filter(run=run).delete()
    return run


def _locked(run: ImportRun, *statuses: str) -> ImportRun:
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in statuses:
        raise ImportRefused(_("这次导入现在是“%(status)s”,不能这样操作。") % {"status": run.get_status_display()})
    return run


def progress_key(run_id: int) -> str:
    return f"import-progress:{run_id}"


def progress(run: ImportRun) -> dict[str, int]:
    return cache.get(progress_key(run.pk)) or {"done": 0, "total": run.total, "refused": 0}


def _progress_reset(run: ImportRun) -> None:
    """A step starts from nothing done (the check's count must not show as the import's)."""
    cache.set(progress_key(run.pk), {"done": 0, "total": run.total, "refused": 0}, 3600)


class _Rollback(Exception):
    pass


def _chunks(run: ImportRun) -> Iterator[list[tuple[int, list[Any]]]]:
    chunk: list[tuple[int, list[Any]]] = []
    for line, values in _table(run, count=False).rows():
        chunk.append((line, values))
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _reason(error: ValidationError, resource: ImportResource) -> str:
    parts = []
    labels = {c.name: str(c.label) for c in resource.columns}
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            texts = "; ".join(str(m) for e in errors for m in e.messages)
            label = labels.get(name)
            parts.append(texts if (not label or label in texts or name == "__all__") else f"{label}:{texts}")
    else:
        parts.extend(str(m) for m in error.messages)
    return ";".join(parts)


def _run(run: ImportRun, *, commit: bool) -> tuple[Counter, list[ImportRow]]:
    """Every line through the resource, in one transaction: committed (its rows written as it goes),
    or a check. A check that writes is rolled back after, and the rows it found are handed back to be
    kept once it is; one that does not (customers) writes its rows as it goes, holding none."""
    resource_class = RESOURCES[run.kind]
    resource = resource_class(run=run, scope=Scope.of(run.created_by))
    resource.checking = not commit
    columns = [(i, name) for i, name in enumerate(run.mapping) if name]
    headers = [name for _i, name in columns]
    counts: Counter = Counter()
    kept: list[ImportRow] = []
    total = run.total
    _progress_reset(run)
    try:
        with transaction.atomic():
            for chunk in _chunks(run):
                dataset = tablib.Dataset(headers=headers)
                resource.lines = [line for line, _values in chunk]
                for _line, values in chunk:
                    dataset.append([values[i] if i < len(values) else None for i, _name in columns])
                result = resource.import_data(dataset, dry_run=False, use_transactions=False, raise_errors=False)
                if result.base_errors:
                    raise ImportRefused(_("无法导入:%(error)s") % {"error": result.base_errors[0].error})
                if result.has_errors():
                    row_error = result.row_errors()[0]
                    line = chunk[row_error[0] - 1][0]
                    raise ImportRefused(
                        _("第 %(line)s 行无法导入:%(error)s") % {"line": line, "error": row_error[1][0].error}
                    )
                rows = [
                    _row(run, resource, row_result, line, values, number)
                    for number, (row_result, (line, values)) in enumerate(zip(result.rows, chunk, strict=True), 1)
                ]
                resource.warnings.clear()
                counts.update(str(r.outcome) for r in rows)
                done = sum(counts.values())
                total = max(total, done)
                cache.set(progress_key(run.pk), {"done": done, "total": total, "refused": counts["refused"]}, 3600)
                if commit or not resource.check_writes:
                    ImportRow.objects.bulk_create(rows)
                else:
                    kept.extend(rows)
            unresolved = resource.link_bosses() if isinstance(resource, ContactResource) else {}
            for line, warning in unresolved.items():
                if commit:
                    row = ImportRow.objects.get(run=run, line=line)
                    row.warning = "; ".join(filter(None, [row.warning, warning]))
                    row.save(update_fields=["warning"])
                else:
                    for row in kept:
                        if row.line == line:
                            row.warning = "; ".join(filter(None, [row.warning, warning]))
            if run.kind == "projects" and commit and counts["new"]:
                from pipeline.hooks import projects_imported

                projects_imported()
            if not commit and resource.check_writes:
                raise _Rollback
    except _Rollback:
        pass  # a check: everything it wrote is rolled back, what it found is kept
    return counts, kept


def _row(run: ImportRun, resource: ImportResource, row_result: Any, line: int, values: list, number: int) -> ImportRow:
    from import_export.results import RowResult

    kind = row_result.import_type
    if kind == RowResult.IMPORT_TYPE_INVALID:
        shown = [
            values[i] for i, name in enumerate(run.mapping) if name in ("name", "code", "number") and i < len(values)
        ]
        return ImportRow(
            run=run,
            line=line,
            outcome=Outcome.REFUSED,
            title=" ".join(str(v) for v in shown if v not in (None, ""))[:200],
            reason=_reason(row_result.validation_error, resource),
            values=[_json(v) for v in values],
        )
    outcome = {
        RowResult.IMPORT_TYPE_NEW: Outcome.NEW,
        RowResult.IMPORT_TYPE_UPDATE: Outcome.UPDATE,
    }.get(kind, Outcome.UNCHANGED)
    return ImportRow(
        run=run,
        line=line,
        outcome=outcome,
        warning="; ".join(resource.warnings.get(number, [])),
        title=resource.title(row_result.instance) if row_result.instance is not None else "",
        object_id=row_result.object_id or getattr(row_result.instance, "pk", None),
    )


def _json(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _finish(run_id: int, **fields: Any) -> ImportRun:
    run = ImportRun.objects.get(pk=run_id)
    for name, value in fields.items():
        setattr(run, name, value)
    run.version += 1
    run.save()
    return run


def import_check(*, run_id: int) -> ImportRun:
    """The dry run: every line as the import would do it, nothing kept but what it found."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.status != ImportRun.Status.CHECKING:
        return run
    ImportRow.objects.filter(run=run).delete()
    try:
        counts, rows = _run(run, commit=False)
    except (ImportRefused, UnreadableFile) as error:
        return _finish(run.pk, status=ImportRun.Status.FAILED, error=str(error))
    except Exception as error:
        logger.exception("import check %s failed", run.pk)
        return _finish(run.pk, status=ImportRun.Status.FAILED, error=_("检查失败:%(error)s") % {"error": error})
    with transaction.atomic():
        for row in rows:
            row.object_id = None  # rolled back: they exist only once imported
        ImportRow.objects.bulk_create(rows, batch_size=1000)
        return _finish(
            run.pk,
            status=ImportRun.Status.CHECKED,
            counts=dict(counts),
            total=sum(counts.values()),
            checked_at=timezone.now(),
            error="",
        )


@transaction.atomic
def import_confirm(*, run: ImportRun, by: User) -> ImportRun:
    run = _locked(run, ImportRun.Status.CHECKED)
    run.status = ImportRun.Status.IMPORTING
    attribute_change(run, by)
    run.save()
    _progress_reset(run)
    return run


def import_apply(*, run_id: int) -> ImportRun:
    """The import itself, in one transaction: new and changed lines written, refused lines left out."""
    run = ImportRun.objects.select_related("created_by").get(pk=run_id)
    if run.status != ImportRun.Status.IMPORTING:
        return run
    try:
        with transaction.atomic():
            ImportRow.objects.filter(run=run).delete()
            counts, _rows = _run(run, commit=True)
            return _finish(
                run.pk,
                status=ImportRun.Status.DONE,
                counts=dict(counts),
                total=sum(counts.values()),
                imported_at=timezone.now(),
            )
    except (ImportRefused, UnreadableFile) as error:
        return _finish(run.pk, status=ImportRun.Status.FAILED, error=str(error))
    except Exception as error:
        logger.exception("import %s failed", run.pk)
        return _finish(
            run.pk, status=ImportRun.Status.FAILED, error=_("导入失败,没有写入任何数据:%(error)s") % {"error": error}
        )


@transaction.atomic
def import_cancel(*, run: ImportRun, by: User) -> ImportRun:
    """Nothing was written; the file is forgotten."""
    run = _locked(run, ImportRun.Status.UPLOADED, ImportRun.Status.CHECKED, ImportRun.Status.FAILED)
    run.status = ImportRun.Status.CANCELLED
    attribute_change(run, by)
    run.save()
    ImportRow.objects.filter(run=run).delete()
    transaction.on_commit(lambda: run.file.delete(save=False))
    return run


def _model(run: ImportRun) -> Any:
    """The model a run's rows are (customers, contacts, projects)."""
    return RESOURCES[run.kind]._meta.model


def undo_blockers(run: ImportRun) -> list[str]:
    """Why the import cannot be undone (empty when it can): a row it wrote was changed since."""
    if run.status != ImportRun.Status.DONE:
        return [_("只有已完成的导入可以撤销。")]
    model = _model(run)
    written: dict[int, int] = {
        object_id: line
        for object_id, line in ImportRow.objects.filter(
            run=run, outcome__in=[Outcome.NEW, Outcome.UPDATE], object_id__isnull=False
        ).values_list("object_id", "line")
        if object_id is not None
    }
    history = model.history.model
    latest: dict[int, Any] = {}
    for record in (
        history.objects.filter(id__in=written).order_by("id", "-history_date", "-history_id").iterator(chunk_size=2000)
    ):
        latest.setdefault(record.id, record)
    blockers = []
    for object_id, line in written.items():
        record = latest.get(object_id)
        if record is None or record.history_change_reason != run.history_reason:
            blockers.append(_("第 %(line)s 行导入的记录此后已被修改或删除") % {"line": line})
    return blockers


@transaction.atomic
def import_undo(*, run: ImportRun, by: User) -> ImportRun:
    """Take the import back: its new rows deleted, its updated rows as they were before it; refused
    when any of them was touched since (the history says so)."""
    run = _locked(run, ImportRun.Status.DONE)
    blockers = undo_blockers(run)
    if blockers:
        raise ImportRefused(blockers[0] + (_("等 %(n)s 处") % {"n": len(blockers)} if len(blockers) > 1 else ""))
    model = _model(run)
    reason = _("撤销导入 #%(pk)s") % {"pk": run.pk}
    history = model.history.model
    made = ImportRow.objects.filter(run=run, outcome=Outcome.NEW).values_list("object_id", flat=True)
    batch: list[int] = []
    for object_id in made.iterator(chunk_size=UNDO_BATCH):
        if object_id is None:
            continue
        batch.append(object_id)
        if len(batch) == UNDO_BATCH:
            _delete(model, batch, by, reason)
            batch = []
    _delete(model, batch, by, reason)
    changed = ImportRow.objects.filter(run=run, outcome=Outcome.UPDATE).order_by("-line")
    for row in changed.iterator(chunk_size=1000):
        instance = model.objects.get(pk=row.object_id)
        records = list(history.objects.filter(id=row.object_id).order_by("-history_date", "-history_id")[:2])
        before = records[1]
        for f in model._meta.concrete_fields:
            if hasattr(before, f.attname) and f.attname not in ("id", "version", "updated_at", "created_at"):
                setattr(instance, f.attname, getattr(before, f.attname))
        attribute_change(instance, by, reason)
        instance.save()
    run.status = ImportRun.Status.UNDONE
    run.undone_at = timezone.now()
    attribute_change(run, by)
    run.save()
    return run


UNDO_BATCH = 500


def _delete(model: type[models.Model], ids: list[int], by: User, reason: str) -> None:
    """The rows an import made, deleted a batch at a time with what hangs on them (a project's stage
    log and team), each one's history saying who and why."""
    from django.db.models.deletion import Collector

    rows = list(model._default_manager.filter(pk__in=ids))
    if not rows:
        return
    for row in rows:
        attribute_change(row, by, reason)
    collector = Collector(using=model._default_manager.db)
    try:
        collector.collect(rows)
    except ProtectedError as error:
        raise ImportRefused(_("这次导入的记录已被其他记录引用(如客户下已有项目),不能撤销")) from error
    collector.delete()
