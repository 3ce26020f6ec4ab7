"""Reading a spreadsheet row by row, never whole: .xlsx through openpyxl's read-only mode, .csv in
UTF-8 (with or without BOM) or GB18030, which Chinese Excel writes. The header row is found among
the first lines (a title above it, merged group headings, blank lines are common)."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

HEADER_SEARCH_LINES = 12
SNIFF_BYTES = 64 * 1024


class UnreadableFile(ValueError):
    """The file cannot be read as a table; the message says why, in the user's language."""


def normalise_label(text: Any) -> str:
    """A header as compared: no spaces, no required-mark or colon, no unit in brackets, lower case."""
    text = str(text or "").strip().lower()
    text = re.sub(r"[（(][^）)]*[）)]$", "", text)  # 年产值(万元) -> 年产值
    return re.sub(r"[\s*:：_\-]+", "", text)


def is_blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def csv_encoding(head: bytes) -> str:
    """UTF-8 with or without its BOM, else GB18030 (which holds GBK and GB2312)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


@dataclass
class Table:
    headers: list[str]
    header_line: int  # 1-based line of the header row in the file
    rows: Callable[[], Iterator[tuple[int, list[Any]]]]  # (line, values) of the lines below it, blanks left out
    estimated_rows: int


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0, 0):
        return value.date()
    return value


def _xlsx_lines(opened: Callable[[], IO[bytes]], count: bool) -> tuple[Callable[[], Iterator[list[Any]]], int]:
    from openpyxl import load_workbook

    def lines() -> Iterator[list[Any]]:
        with opened() as handle:
            try:
                book = load_workbook(handle, read_only=True, data_only=True)
            except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
                raise UnreadableFile(_("无法读取这个 Excel 文件(请另存为 .xlsx 后重试)。")) from error
            try:
                sheet = book.worksheets[0]
                for values in sheet.iter_rows(values_only=True):
                    yield [_cell(v) for v in values]
            finally:
                book.close()

    with opened() as handle:
        from openpyxl import load_workbook

        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as error:
            raise UnreadableFile(_("无法读取这个 Excel 文件(请另存为 .xlsx 后重试)。")) from error
        sheet = book.worksheets[0]
        estimate = sheet.max_row or 0
        if count and estimate <= 1:  # a workbook written without its dimension (openpyxl's write-only mode)
            estimate = sum(1 for _row in sheet.iter_rows(values_only=True))
        book.close()
    return lines, estimate


def _csv_lines(opened: Callable[[], IO[bytes]], count: bool) -> tuple[Callable[[], Iterator[list[Any]]], int]:
    with opened() as handle:
        head = handle.read(SNIFF_BYTES)
        estimate = head.count(b"\n")
        while count and (chunk := handle.read(1024 * 1024)):
            estimate += chunk.count(b"\n")
    encoding = csv_encoding(head)
    sample = head.decode(encoding, errors="ignore")
    try:
        dialect: Any = csv.Sniffer().sniff(sample[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel

    def lines() -> Iterator[list[Any]]:
        with opened() as handle:
            text = io.TextIOWrapper(handle, encoding=encoding, newline="")
            try:
                for values in csv.reader(text, dialect):
                    yield [_cell(v) for v in values]
            except UnicodeDecodeError as error:
                raise UnreadableFile(_("文件编码无法识别(请用 UTF-8 或 GB18030 保存 CSV)。")) from error
            finally:
                text.detach()

    return lines, estimate


def open_table(
    opened: Callable[[], IO[bytes]], name: str, known: Callable[[str], bool], *, count: bool = True
) -> Table:
    """The table in the file: ``opened()`` opens it afresh (it is read more than once, each time as a
    stream); ``known(label)`` says whether a header names a field, to find the header row; ``count``:
    estimate its lines (for the progress bar), which may take a pass over the file."""
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "xlsx":
        lines, estimate = _xlsx_lines(opened, count)
    elif suffix in ("csv", "txt"):
        lines, estimate = _csv_lines(opened, count)
    else:
        raise UnreadableFile(_("只能导入 .xlsx 或 .csv 文件。"))

    head: list[list[Any]] = []
    for values in lines():
        if not is_blank(values):
            head.append(values)
        if len(head) >= HEADER_SEARCH_LINES:
            break
    if not head:
        raise UnreadableFile(_("文件是空的。"))

    # The header row is the one naming the most fields, once a header cell left blank by a merge
    # takes the nearest label above it that names a field (a heading merged down over two rows).
    def filled(index: int) -> list[Any]:
        row = list(head[index])
        for column, value in enumerate(row):
            if value is None:
                for above in reversed(head[:index]):
                    if column < len(above) and above[column] is not None and known(normalise_label(above[column])):
                        row[column] = above[column]
                        break
        return row

    def score(row: list[Any]) -> int:
        return sum(1 for v in row if v is not None and known(normalise_label(v)))

    best = max(range(len(head)), key=lambda i: (score(filled(i)), -i))
    if score(filled(best)) == 0:
        raise UnreadableFile(_("找不到表头:前几行没有一个列名是可以导入的字段。"))
    headers = ["" if value is None else str(value) for value in filled(best)]
    header_row = head[best]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        seen_header = False
        for line, values in enumerate(lines(), 1):
            if not seen_header:
                seen_header = values == header_row
                continue
            if not is_blank(values):
                yield line, values

    # find the header's line number
    header_line = next(line for line, values in enumerate(lines(), 1) if values == header_row)
    return Table(headers=headers, header_line=header_line, rows=rows, estimated_rows=max(estimate - header_line, 0))
