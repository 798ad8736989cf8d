"""Reading catalogue rows from spreadsheets: the seed CSV and XLSX proposal imports.

Parsing only; the writes are `catalog.services.loading.catalogue_load` (published seed items)
and `catalog.services.loading.catalogue_import` (proposals). `COLUMNS` is the one column layout
shared by the public export and the XLSX import, so an exported list can be edited and
imported back as proposals (a row whose code exists becomes a new version).
"""

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from personnel.choices import Department

from .choices import Category, ItemKind, ListLevel, TimeUnit

SEED_PATH = Path(__file__).resolve().parent / "data" / "catalogue-seed.csv"

#: (key, header) of the shared export/import layout; limits are the general grade's.
COLUMNS = [
    ("code", "事项编码"),
    ("level", "清单层级"),
    ("district", "区县编码"),
    ("category", "类别"),
    ("name", "名称"),
    ("name_en", "英文名称"),
    ("kind", "事项类型"),
    ("department", "责任部门"),
    ("supporting_units", "配合单位"),
    ("self_handle", "可就地处置"),
    ("description", "事项说明"),
    ("guidance", "工作指引"),
    ("accept_limit", "一般受理时限"),
    ("complete_limit", "一般办结时限"),
    ("limit_unit", "时限单位"),
]
HEADERS = dict(COLUMNS)


def _lookup(choices, value, field_name):
    """Accept a choice's key or its Chinese label (or the label's leading text)."""
    text = str(value).strip()
    for key, label in choices:
        if text == str(key) or text == str(label) or (len(text) >= 2 and str(label).startswith(text)):
            return key
    raise ValidationError({field_name: [_("无法识别的值“%(value)s”。") % {"value": text}]})


def department_key(value) -> str:
    """`Department` key from its key or Chinese name (e.g. 民政 → civil_affairs)."""
    return _lookup(Department.choices, value, "department")


def _decimal(value, field_name):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError({field_name: [_("须为数字。")]}) from None


def _bool(value) -> bool:
    return str(value).strip().lower() in {"yes", "y", "true", "1", "是"}


def parse_row(raw: dict) -> dict:
    """Turn one spreadsheet row (keys of `COLUMNS`) into `item_propose` arguments.

    Returns `{"code", "level", "district_code", "content", "general": (accept, complete, unit)}`.
    Raises `ValidationError` keyed by column key, every problem of the row at once.
    """
    errors: dict[str, list] = {}
    out: dict = {"code": str(raw.get("code") or "").strip(), "district_code": str(raw.get("district") or "").strip()}
    content: dict = {}

    def attempt(key, fn):
        try:
            return fn()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(name if name != "__all__" else key, []).extend(messages)
            return None

    level_text = str(raw.get("level") or "").strip()
    out["level"] = ListLevel.DISTRICT if level_text in ("district", "区级", "区（县、市）级清单") else ListLevel.CITY
    if level_text and level_text not in ("city", "市级", "市级清单", "district", "区级", "区（县、市）级清单"):
        errors["level"] = [_("须为“市级”或“区级”。")]
    category = attempt("category", lambda: _lookup(Category.choices, raw.get("category") or "", "category"))
    content["category"] = category
    for key in ("name", "name_en", "supporting_units", "description", "guidance"):
        content[key] = str(raw.get(key) or "").strip()
    content["kind"] = attempt("kind", lambda: _lookup(ItemKind.choices, raw.get("kind") or "event", "kind"))
    content["department"] = attempt("department", lambda: department_key(raw.get("department") or ""))
    content["self_handle"] = _bool(raw.get("self_handle"))
    accept = attempt("accept_limit", lambda: _decimal(raw.get("accept_limit"), "accept_limit"))
    complete = attempt("complete_limit", lambda: _decimal(raw.get("complete_limit"), "complete_limit"))
    unit = None
    if raw.get("limit_unit") not in (None, ""):
        unit = attempt("limit_unit", lambda: _lookup(TimeUnit.choices, raw.get("limit_unit"), "limit_unit"))
    out["content"] = content
    out["general"] = (accept, complete, unit)
    if errors:
        raise ValidationError(errors)
    return out


def read_seed_csv(path=SEED_PATH) -> list[dict]:
    """Rows of the seed CSV (see catalog/data/README.md) in the `COLUMNS` key layout."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [
            {
                "code": r["code"],
                "category": r["category"],
                "name": r["name"],
                "name_en": r["name_en"],
                "kind": r["kind"],
                "department": r["department"],
                "self_handle": r["self_handle"],
                "accept_limit": r["accept_hours"],
                "complete_limit": r["complete_limit"],
                "limit_unit": r["limit_unit"],
            }
            for r in csv.DictReader(f)
        ]


def read_xlsx(file) -> tuple[list[tuple[int, dict]], list[tuple[int, str, str]]]:
    """Read the first sheet of an uploaded XLSX: `([(row_number, row_dict)], header_errors)`.

    The first row holds headers (Chinese headers of `COLUMNS` or their keys); unknown
    headers are reported. Row numbers are the spreadsheet's (data starts at 2). Raises
    `ValidationError` when the file is not a readable XLSX.
    """
    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged or non-XLSX file
        raise ValidationError({"file": [_("无法读取该文件，请上传 .xlsx 格式的表格。")]}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    by_header = {h: k for k, h in COLUMNS} | {k: k for k, _h in COLUMNS}
    keys, errors = [], []
    for cell in header:
        text = str(cell).strip() if cell is not None else ""
        if text and text not in by_header:
            errors.append((1, text, _("未知的列。")))
        keys.append(by_header.get(text))
    if "name" not in keys:
        errors.append((1, HEADERS["name"], _("缺少必需的列。")))
    data = []
    for number, values in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in values):
            continue
        data.append((number, {k: v for k, v in zip(keys, values, strict=False) if k}))
    workbook.close()
    return data, errors


def column_of(error_key: str) -> str:
    """The spreadsheet column header for a service error key (rules map to the limit columns)."""
    if error_key in HEADERS:
        return HEADERS[error_key]
    if error_key.endswith("accept_limit"):
        return HEADERS["accept_limit"]
    if error_key.endswith(("complete_limit", "_unit")):
        return HEADERS["complete_limit"]
    return error_key
