"""A dashboard table: its numbers shown beside a chart, and the same numbers as CSV or Excel."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify

from core.exports import FORMULA_STARTS

TEXT, INT, MONEY, PERCENT, DAYS = "text", "int", "money", "percent", "days"


@dataclass
class Column:
    label: str
    kind: str = TEXT


@dataclass
class Chart:
    """Bars for each row: ``label`` is the column naming the row, ``values`` the columns drawn as bars."""

    label: int
    values: list[int]
    kind: str = "bars"


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    chart: Chart | None = None
    footer: list | None = None
    links: list[str | None] = field(default_factory=list)  # one URL per row for its first cell, or None

    @property
    def wide(self) -> bool:
        """Too many columns to sit beside its chart: the chart goes above the table."""
        return len(self.columns) > 6

    def cells(self):
        """Rows as (label, kind, value) cells, with each row's link, for the template."""
        for i, row in enumerate(self.rows):
            link = self.links[i] if i < len(self.links) else None
            yield link, [(c.label, c.kind, v) for c, v in zip(self.columns, row, strict=False)]

    @property
    def fingerprint(self) -> str:
        """What the table shows, as a key for its cached fragment: the same numbers render the same
        markup, so a cached body is reused until a roll-up changes a number (or a link, or a label)."""
        content = (self.name, self.title, [(c.label, c.kind) for c in self.columns], self.rows, self.links, self.footer)
        return hashlib.blake2b(repr(content).encode(), digest_size=16).hexdigest()

    def footer_cells(self):
        return [(c.kind, v) for c, v in zip(self.columns, self.footer or [], strict=False)]

    def chart_bars(self, width: int = 100):
        """Each row's bars as percentages of the largest value, for an inline SVG."""
        if not self.chart:
            return []
        values = [[_number(row[i]) for i in self.chart.values] for row in self.rows]
        top = max((v for row in values for v in row), default=0) or 1
        return [
            {
                "label": row[self.chart.label],
                "bars": [
                    {
                        "value": row[i],
                        "kind": self.columns[i].kind,
                        "width": round(v * width / top, 1),
                        "series": n,
                        "name": self.columns[i].label,
                    }
                    for n, (i, v) in enumerate(zip(self.chart.values, value_row, strict=True))
                ],
            }
            for row, value_row in zip(self.rows, values, strict=True)
        ]

    @property
    def series(self):
        return [self.columns[i].label for i in self.chart.values] if self.chart else []


def _number(value) -> float:
    try:
        return max(float(value or 0), 0.0)
    except (TypeError, ValueError):
        return 0.0


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if value is None:
        return ""
    if isinstance(value, (int, float, date)):
        return value
    return str(value)


def _csv_cell(value):
    value = _plain(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        # The leading quote makes Excel, WPS and LibreOffice read the cell as text.
        return "'" + value
    return value


def export_response(table: Table, fmt: str) -> HttpResponse:
    """The table as a download: ``csv`` (UTF-8 with BOM, so Excel opens Chinese correctly) or ``xlsx``."""
    filename = slugify(table.name) or "table"
    headers = [c.label for c in table.columns]
    rows = [*table.rows, *([table.footer] if table.footer else [])]
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = str(table.title)[:31]
        sheet.append(headers)
        for row in rows:
            sheet.append([_plain(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":  # typed text that openpyxl would write as a formula
                    cell.data_type = "s"
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
