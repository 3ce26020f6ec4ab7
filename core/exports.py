"""Lists as spreadsheets: any list's rows, filtered and ordered as the page shows them, as .csv or
.xlsx with the paper's labels as headers, money and dates as real cells, and no cell a spreadsheet
would run as a formula. Rows are read in chunks and written as they come (CSV streamed to the
browser, .xlsx through openpyxl's write-only mode into a temporary file then streamed), so 100,000
rows take no more memory than a few thousand."""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.services import record_export
from core.typing import Label

# A spreadsheet reads a cell that starts with one of these as a formula (CSV/formula injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")
CHUNK = 2000
NUMBER_FORMATS = {"money": "#,##0.00", "date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "int": "0"}


@dataclass(frozen=True)
class Column:
    label: Label
    value: Callable[[Any], Any]
    kind: str = "text"  # text, money, int, date, datetime


def cell_value(value: Any) -> Any:
    """What a cell holds: numbers, dates and text as themselves (an aware time in local time, without
    its zone, as spreadsheets keep them), text that would start a formula led by a quote."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (bool, int, float, Decimal, datetime.date)):
        return value
    text = str(value)
    # The leading quote makes Excel, WPS and LibreOffice read the cell as text.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_text(value: Any) -> Any:
    value = cell_value(value)
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value


def _rows(rows: Iterable) -> Iterator:
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=CHUNK)
    return iter(rows)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(*, rows: Iterable, columns: list[Column], filename: str) -> StreamingHttpResponse:
    """UTF-8 with a BOM (so Excel opens Chinese right), streamed row by row."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        batch = ["\ufeff" + writer.writerow([str(c.label) for c in columns])]
        for row in _rows(rows):
            batch.append(writer.writerow([_csv_text(c.value(row)) for c in columns]))
            if len(batch) >= 500:  # a chunk of about 100 kB to the server at a time
                yield "".join(batch)
                batch = []
        yield "".join(batch)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(*, rows: Iterable, columns: list[Column], filename: str, title: str) -> FileResponse:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    formats = [NUMBER_FORMATS.get(c.kind) for c in columns]
    for row in _rows(rows):
        cells: list[Any] = []
        for column, number_format in zip(columns, formats, strict=True):
            value = cell_value(column.value(row))
            if number_format and value != "":
                # Only a typed cell pays for a cell object and its style; text goes in as it is
                # (cell_value already led any formula-like text with a quote).
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = number_format
                value = cell
            cells.append(value)
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (handed to the response, which closes it)
    book.save(spool)
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_requested(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format", "")
    return fmt if fmt in FORMATS else None


def list_export(
    request: HttpRequest, *, rows: QuerySet | Iterable, columns: list[Column], name: str, title: Label
) -> StreamingHttpResponse | FileResponse:
    """The list as the format asked (``?format=csv|xlsx``), recorded in the export log."""
    fmt = export_requested(request) or "csv"
    count = rows.count() if isinstance(rows, QuerySet) else len(rows := list(rows))
    record_export(by=request.user, page=request.get_full_path(), table=name, fmt=fmt, rows=count)  # type: ignore[arg-type]
    filename = f"{slugify(name) or 'list'}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        return xlsx_response(rows=rows, columns=columns, filename=filename, title=str(title))
    return csv_response(rows=rows, columns=columns, filename=filename)


def _field_value(name: str, field: Any) -> Callable[[Any], Any]:
    if field.choices:
        # The labels in the language of the request, looked up once (get_FOO_display per row costs
        # a lazy translation per cell: a third of a 100,000-row export).
        labels = {value: str(label) for value, label in field.flatchoices}
        return lambda row: labels.get(getattr(row, name), getattr(row, name) or "")
    if field.is_relation:
        return lambda row: getattr(row, name) or ""
    if field.get_internal_type() == "BooleanField":
        return lambda row: _("是") if getattr(row, name) else _("否")
    return lambda row: getattr(row, name)


KINDS = {
    "DecimalField": "money",
    "DateField": "date",
    "DateTimeField": "datetime",
    "IntegerField": "int",
    "PositiveIntegerField": "int",
    "PositiveSmallIntegerField": "int",
}


def model_columns(model: Any, names: Iterable[str]) -> list[Column]:
    """Columns for a model's fields, headed by their labels (the paper's), enumerations by their labels."""
    columns = []
    for name in names:
        field = model._meta.get_field(name)
        kind = KINDS.get(field.get_internal_type(), "text")
        columns.append(Column(field.verbose_name, _field_value(name, field), kind))
    return columns
