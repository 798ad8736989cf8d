"""Spreadsheet exports (CSV, XLSX) with cells that a spreadsheet will not run as formulas.

`safe_cell` is the one escaping function: text starting with `=`, `+`, `-`, `@`, a tab
or a carriage return gets a leading single quote (OWASP CSV injection), by the shared
`ningbo_grid.spreadsheets.safe_cell`. Numbers, dates and None pass through unchanged;
aware datetimes become local naive ones (spreadsheets have no time zones).
"""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from ningbo_grid.spreadsheets import safe_cell as shared_safe_cell


def safe_cell(value):
    """A value safe to put in a spreadsheet cell (see module docstring)."""
    if value is None or isinstance(value, bool | int | float | Decimal | datetime.date):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    return shared_safe_cell(str(value))


def _disposition(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(filename)}"


def csv_response(filename: str, headers: list[str], rows) -> HttpResponse:
    """A UTF-8 (with BOM, for Excel) CSV download of `headers` and `rows`, every cell escaped."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if c is None else safe_cell(c) for c in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(filename: str, title: str, headers: list[str], rows) -> HttpResponse:
    """An XLSX download: one sheet `title`, a header row, every cell escaped."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        sheet.append([safe_cell(c) for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = _disposition(filename)
    return response


def score_table(period, scores) -> tuple[list[str], list[list]]:
    """Headers and rows of a period's scorecard: peer group, rank, subject, values and points, totals.

    A subject without data (无数据, `rank` None) shows 未排名 in the rank column.
    """
    from .indicators import REGISTRY

    rules = list(period.scheme.indicators.all())
    headers = [_("排名范围"), _("排名"), _("考评对象")]
    for r in rules:
        ind = REGISTRY.get(r.code)
        name = str(ind.name) if ind else r.code
        headers += [f"{name}（{ind.unit if ind else ''}）", _("%(name)s得分") % {"name": name}]
    headers += [_("加分"), _("扣分"), _("总分")]
    rows = []
    for s in scores:
        row = [s.peer_group, _("未排名") if s.rank is None else s.rank, s.label]
        for r in rules:
            row += [s.values.get(r.code), Decimal(s.points.get(r.code, "0"))]
        row += [s.bonus, s.penalty, s.total]
        rows.append(row)
    return headers, rows
