"""XLSX import of the ledgers (the way these data arrive today; issue #15 item 6).

A workbook's first sheet has a header row naming the columns (`COLUMNS`, Chinese
headers, any order; unknown headers are ignored). Each data row is checked on its own
and either written whole or not at all: a bad row is reported by line (the sheet's row
number) and field, and the good rows are written in batches of `BATCH` (one duplicate
look-up per batch; PostgreSQL COPY, `bulk_create` elsewhere: `ledgers.bulkwrite`), so
10,000 rows take a few seconds.
Cells must be text where the value is a code (a document number typed as a number loses
its leading zeros and its X: refused, not converted). Duplicates are refused against
the database (through the keyed hash) and within the file.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from ningbo_grid.crypto import lookup_hashes
from personnel import scope
from personnel.roles import KEEP_LEDGERS

from . import bulkwrite
from .choices import DocType, Registration, Relation, SafetyClass, UnitKind
from .models import Address, CareTag, Household, Person, PersonTag, Unit
from .services import clean_person
from .validators import normalise_uscc, validate_uscc

BATCH = 1000

COLUMNS = {
    "persons": {
        "姓名": "name",
        "证件类型": "doc_type",
        "证件号码": "id_number",
        "户籍类别": "registration",
        "手机号码": "mobile",
        "居住地址编码": "address",
        "与户主关系": "relation",
        "关爱标签": "tags",
    },
    "units": {
        "单位名称": "name",
        "统一社会信用代码": "uscc",
        "单位类型": "kind",
        "地址编码": "address",
        "法定代表人": "legal_representative",
        "联系电话": "contact_phone",
        "从业人数": "staff_count",
        "消防安全类别": "safety_class",
    },
}
#: Text cells: a number here is refused (codes lose zeros and letters in a numeric cell).
TEXT_ONLY = {"id_number", "mobile", "address", "uscc", "contact_phone"}


def _by_label(choices) -> dict[str, str]:
    return {str(label): value for value, label in choices.choices} | {value: value for value in choices.values}


@dataclass
class ImportReport:
    """What an import did: `created` rows written; `errors` (line, field header, message)."""

    kind: str
    created: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)

    def add(self, line: int, name: str, message) -> None:
        header = next((h for h, f in COLUMNS[self.kind].items() if f == name), name)
        self.errors.append((line, header, str(message)))


def read_rows(file, kind: str) -> Iterator[tuple[int, dict]]:
    """(line, {field: cell value}) for each non-empty data row of the first sheet.
    Raises ValidationError (file) for a file that is not XLSX or lacks a needed column."""
    try:
        sheet = load_workbook(file, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a non-XLSX file
        raise ValidationError({"file": [_("无法读取该文件，请上传 .xlsx 工作簿。")]}) from exc
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    fields = [COLUMNS[kind].get(h) for h in header]
    missing = [h for h, f in COLUMNS[kind].items() if f in ("name", "address") and f not in fields]
    if missing:
        raise ValidationError({"file": [_("缺少列：%s") % "、".join(missing)]})
    for line, values in enumerate(rows, start=2):
        if all(v in (None, "") for v in values):
            continue
        yield line, {f: v for f, v in zip(fields, values, strict=False) if f}


def _batches(rows: Iterable, size: int) -> Iterator[list]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class _Context:
    """Per-import caches: addresses by code, the actor's right per micro-grid, tags by name."""

    def __init__(self, actor):
        self.actor = actor
        self.allowed: dict[int, bool] = {}
        self.tags = {t.name: t for t in CareTag.objects.filter(is_active=True)}

    def addresses(self, codes) -> dict[str, Address]:
        found = Address.objects.filter(code__in=codes, is_active=True).select_related("area")
        return {a.code: a for a in found}

    def may_keep(self, address: Address) -> bool:
        if address.area_id not in self.allowed:
            self.allowed[address.area_id] = scope.has_area_perm(self.actor, KEEP_LEDGERS, address.area)
        return self.allowed[address.area_id]


def _text(row: dict, report: ImportReport, line: int) -> bool:
    ok = True
    for name in TEXT_ONLY & set(row):
        value = row[name]
        if value is not None and not isinstance(value, str):
            report.add(line, name, _("请将此列设为文本格式后重新填写。"))
            ok = False
    return ok


def _address(row, line, addresses, ctx, report) -> Address | None:
    address = addresses.get((row.get("address") or "").strip())
    if address is None:
        report.add(line, "address", _("地址编码不存在或已注销。"))
    elif not ctx.may_keep(address):
        report.add(line, "address", _("您无权维护该地址所在网格的台账。"))
        return None
    return address


def import_persons(*, actor, rows: Iterable[tuple[int, dict]]) -> ImportReport:
    """Import residents (`COLUMNS["persons"]`); see the module docstring. Returns the report."""
    report, ctx = ImportReport("persons"), _Context(actor)
    registrations, relations, docs = _by_label(Registration), _by_label(Relation), _by_label(DocType)
    seen: set[str] = set()
    today = timezone.localdate()
    for batch in _batches(rows, BATCH):
        addresses = ctx.addresses({str(r.get("address") or "").strip() for _line, r in batch})
        good = []
        for line, row in batch:
            if not _text(row, report, line):
                continue
            address = _address(row, line, addresses, ctx, report)
            data = {
                "name": str(row.get("name") or ""),
                "doc_type": docs.get(str(row.get("doc_type") or "").strip(), "?") if row.get("doc_type") else "",
                "id_number": row.get("id_number") or "",
                "registration": registrations.get(str(row.get("registration") or "").strip(), ""),
                "mobile": row.get("mobile") or "",
                "relation": relations.get(str(row.get("relation") or "").strip(), "?") if row.get("relation") else "",
            }
            try:
                data = clean_person(data)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    report.add(line, name, messages[0])
                continue
            names = [t.strip() for t in str(row.get("tags") or "").replace("，", "、").split("、") if t.strip()]
            unknown = [t for t in names if t not in ctx.tags]
            if unknown:
                report.add(line, "tags", _("未知关爱标签：%s") % "、".join(unknown))
                continue
            if data["id_number"] in seen:
                report.add(line, "id_number", _("与本文件前面的行重复。"))
                continue
            if address is None:
                continue
            seen.add(data["id_number"])
            good.append((line, data, address, [ctx.tags[t] for t in names]))
        hashes = {h: line for line, data, _a, _t in good for h in lookup_hashes(data["id_number"])}
        taken = set(Person.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True))
        dup_lines = {hashes[h] for h in taken}
        for line in sorted(dup_lines):
            report.add(line, "id_number", _("该证件号码已登记，同一人只能有一条记录；迁入请办理迁移。"))
        good = [g for g in good if g[0] not in dup_lines]
        report.created += _write_persons(good, today)
    return report


def _write_persons(good: list, today: datetime.date) -> int:
    with transaction.atomic():
        need_household = {a.pk: a for _l, data, a, _t in good if data["relation"]}
        households = {h.address_id: h for h in Household.objects.filter(address_id__in=need_household)}
        fresh = [
            Household(address=a, area_id=a.area_id, township_id=a.township_id)
            for pk, a in need_household.items()
            if pk not in households
        ]
        households |= {h.address_id: h for h in bulkwrite.insert(fresh)}
        persons = []
        for _line, data, address, tags in good:
            days = [t.visit_every_days for t in tags if t.visit_every_days]
            data = {k: v for k, v in data.items() if k in _PERSON_FIELDS}
            persons.append(
                Person(
                    **data,
                    residence=address,
                    area_id=address.area_id,
                    township_id=address.township_id,
                    household=households.get(address.pk) if data["relation"] else None,
                    next_visit_due=today + datetime.timedelta(days=min(days)) if days else None,
                )
            )
        bulkwrite.insert(persons)
        pairs = zip(persons, good, strict=True)
        bulkwrite.insert([PersonTag(person=p, tag=t, since=today) for p, row in pairs for t in row[3]])
        for person in persons:
            if person.relation == Relation.HEAD and person.household is not None:
                Household.objects.filter(pk=person.household.pk, head__isnull=True).update(head=person)
    return len(persons)


_PERSON_FIELDS = {"name", "doc_type", "id_number", "mobile", "registration", "relation", "sex", "birth_date"}


def import_units(*, actor, rows: Iterable[tuple[int, dict]]) -> ImportReport:
    """Import actual units (`COLUMNS["units"]`); the credit code is checked (GB 32100) and unique."""
    report, ctx = ImportReport("units"), _Context(actor)
    kinds, classes = _by_label(UnitKind), _by_label(SafetyClass)
    seen: set[str] = set()
    for batch in _batches(rows, BATCH):
        addresses = ctx.addresses({str(r.get("address") or "").strip() for _line, r in batch})
        codes = {normalise_uscc(str(r.get("uscc") or "")) for _line, r in batch} - {""}
        taken = set(Unit.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
        good = []
        for line, row in batch:
            if not _text(row, report, line):
                continue
            address = _address(row, line, addresses, ctx, report)
            uscc = normalise_uscc(row.get("uscc") or "")
            errors = {}
            if uscc:
                try:
                    validate_uscc(uscc)
                except ValidationError as exc:
                    errors["uscc"] = exc.messages[0]
                else:
                    if uscc in taken or uscc in seen:
                        errors["uscc"] = _("该统一社会信用代码已登记。")
            name = str(row.get("name") or "").strip()
            if not name or len(name) > 120:
                errors["name"] = _("请填写单位名称（不超过120字）。")
            kind = kinds.get(str(row.get("kind") or "").strip())
            if kind is None:
                errors["kind"] = _("单位类型无效。")
            safety = classes.get(str(row.get("safety_class") or "").strip() or SafetyClass.GENERAL)
            if safety is None:
                errors["safety_class"] = _("消防安全类别无效。")
            staff = row.get("staff_count")
            if staff not in (None, "") and (not isinstance(staff, int) or isinstance(staff, bool) or staff < 0):
                errors["staff_count"] = _("从业人数须为非负整数。")
            for name_, message in errors.items():
                report.add(line, name_, message)
            if errors or address is None:
                continue
            seen.add(uscc)
            good.append(
                Unit(
                    name=name,
                    uscc=uscc,
                    kind=kind,
                    safety_class=safety,
                    address=address,
                    area_id=address.area_id,
                    township_id=address.township_id,
                    legal_representative=str(row.get("legal_representative") or "").strip()[:50],
                    contact_phone=str(row.get("contact_phone") or "").strip(),
                    staff_count=staff if staff not in (None, "") else None,
                )
            )
        with transaction.atomic():
            bulkwrite.insert(good)
        report.created += len(good)
    return report


IMPORTERS = {"persons": import_persons, "units": import_units}


def import_file(*, actor, kind: str, file) -> ImportReport:
    """Read `file` (XLSX) as ledger `kind` ("persons" or "units") and import it."""
    return IMPORTERS[kind](actor=actor, rows=read_rows(file, kind))
