"""Workbooks the import page hands out: a blank template per kind (the paper's labels as headers,
each enumeration a dropdown), and a run's refused lines with a 原因 column, to fix and bring back."""

from __future__ import annotations

import tempfile

from django.http import FileResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.exports import cell_value
from imports.models import ImportRow, ImportRun, Kind
from imports.resources import RESOURCES
from pipeline.models import StageDefinition

TEMPLATE_ROWS = 2000  # how far down the dropdowns reach
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _send(book: Workbook, filename: str) -> FileResponse:
    spool = tempfile.TemporaryFile()
    book.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)


def template_response(kind: str) -> FileResponse:
    resource = RESOURCES[kind]
    book = Workbook()
    sheet = book.active
    sheet.title = str(Kind(kind).label)
    lists = book.create_sheet(_("可选值"))
    bold = Font(bold=True)
    stages = list(StageDefinition.objects.order_by("number"))
    for index, column in enumerate(resource.columns, 1):
        header = sheet.cell(row=1, column=index, value=str(column.label) + (" *" if column.required else ""))
        header.font = bold
        sheet.column_dimensions[get_column_letter(index)].width = max(12, len(str(column.label)) * 2 + 4)
        options: list[str] = []
        if column.choices:
            options = [str(label) for _value, label in column.choices]
        elif column.name == "stage":
            options = [s.name for s in stages]
        elif column.name == "customer_stage":
            options = [s.customer_stage for s in stages]
        if options:
            letter = get_column_letter(index)
            for row, option in enumerate(options, 1):
                lists.cell(row=row, column=index, value=option)
            rule = DataValidation(
                type="list",
                formula1=f"'{lists.title}'!${letter}$1:${letter}${len(options)}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=str(column.label),
                error=_("请从下拉列表中选择"),
            )
            sheet.add_data_validation(rule)
            rule.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.freeze_panes = "A2"
    return _send(book, f"{kind}-template.xlsx")


def refused_response(run: ImportRun) -> FileResponse:
    """The refused lines as they were read, under the file's own header, with why in 原因."""
    from openpyxl import Workbook as WriteOnly

    book = WriteOnly(write_only=True)
    sheet = book.create_sheet(_("被拒绝的行"))
    sheet.append([_("原因"), _("原行号"), *run.headers])
    rows = ImportRow.objects.filter(run=run, outcome=ImportRow.Outcome.REFUSED).order_by("line")
    for row in rows.iterator(chunk_size=2000):
        sheet.append([row.reason, row.line, *[cell_value(v) for v in (row.values or [])]])
    return _send(book, f"refused-{run.pk}.xlsx")
