"""Spreadsheet export shared by every app: CSV and XLSX responses with formula escaping.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return may be run
as a formula by Excel or LibreOffice (CSV/formula injection). `safe_cell` prefixes such
text with a single quote so it is shown, never run. Every export goes through it.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """Return `value` fit for a spreadsheet cell: strings that could start a formula get a `'` prefix.

    Numbers, dates and None pass unchanged (they cannot carry a formula).
    """
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def _safe_rows(header: Sequence, rows: Iterable[Sequence]):
    yield [safe_cell(h) for h in header]
    for row in rows:
        yield [safe_cell(v) for v in row]


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_bytes(header: Sequence, rows: Iterable[Sequence]) -> bytes:
    """CSV text as UTF-8 with a byte-order mark (so Excel reads Chinese), cells escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _safe_rows(header, rows):
        writer.writerow(["" if v is None else v for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence, rows: Iterable[Sequence], title: str = "Sheet1") -> bytes:
    """An XLSX workbook of one sheet (`title`, ≤ 31 chars), header row bold-free, cells escaped."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in _safe_rows(header, rows):
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence, rows: Iterable[Sequence]) -> HttpResponse:
    """An attachment response of `csv_bytes`; `filename` should be ASCII and end in .csv."""
    return _attachment(HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8"), filename)


def xlsx_response(filename: str, header: Sequence, rows: Iterable[Sequence], title: str = "Sheet1") -> HttpResponse:
    """An attachment response of `xlsx_bytes`; `filename` should be ASCII and end in .xlsx."""
    return _attachment(HttpResponse(xlsx_bytes(header, rows, title), content_type=XLSX_TYPE), filename)
