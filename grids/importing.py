"""Import the statistical divisions (province/city → village/community) from a CSV file (Art. 2, 9).

File format (that of `grids/data/ningbo-divisions-2023.csv` and, for a whole province,
`grids/data/zhejiang-divisions-2023.csv`): UTF-8, header `code,name,level,parent_code`;
`code` 12 digits; `level` one of province, city, county, township, village;
`parent_code` empty for the province, and for a city only when the file has no
province (a single-city tree). A parent may come later in the file or already be in
the database.

A city imported earlier on its own (the root of a single-city tree) may be placed
under a province by a later province file: its code, history and subtree stay as
they are, an `AreaChange` (kind import) records the new parent.

The import is atomic (any bad row: nothing is written, and the error names the line)
and idempotent (a second run changes nothing). A known code with a new name is a rename
(an `AreaChange` of kind rename). A division missing from the file is left alone and
counted: retiring divisions is a decision for people, not for an import.

Village kind (Art. 2, 6) comes from the name: 村委会/村民委员会/…村 are rural villages;
社区居委会/居委会/居民委员会/…社区 urban communities; the living areas of state farms,
forest and tea farms (农场/林场/茶场…生活区, 管理区) are rural; development-zone
"virtual communities" (虚拟社区/虚拟生活区) are urban; anything else is urban.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

from .choices import DIVISION_LEVELS, PARENT_LEVEL, ROOT_LEVELS, ChangeKind, Level, VillageKind
from .locking import tree_lock
from .models import Area, AreaChange
from .treebuild import bulk_insert

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "ningbo-divisions-2023.csv"
HEADER = ["code", "name", "level", "parent_code"]
CODE_RE = re.compile(r"^\d{12}$")
#: How many leading digits a division shares with its parent (NBS code structure).
PREFIX_DIGITS = {Level.CITY: 2, Level.COUNTY: 4, Level.TOWNSHIP: 6, Level.VILLAGE: 9}
MAX_ERRORS = 20


@dataclass
class Row:
    line: int
    code: str
    name: str
    level: str
    parent_code: str


def village_kind(name: str) -> str:
    """Rural village or urban community, from a village-level division's name (see module doc)."""
    if "虚拟" in name:
        return VillageKind.URBAN
    if name.endswith(("村委会", "村民委员会", "村")):
        return VillageKind.RURAL
    if name.endswith(("社区居委会", "居委会", "居民委员会", "社区")):
        return VillageKind.URBAN
    if name.endswith(("生活区", "管理区")) and re.search(r"(农场|林场|茶场|桔场|良种场|繁殖场|垦场)", name):
        return VillageKind.RURAL
    return VillageKind.URBAN


def read_rows(path: Path) -> list[Row]:
    """Parse and check the file on its own; raises ValidationError listing `line N: problem`."""
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise ValidationError(f"cannot read {path}: {exc.strerror}") from exc
    errors: list[str] = []
    rows: list[Row] = []
    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader, None)
            if header is None or [h.strip() for h in header] != HEADER:
                raise ValidationError(f"line 1: header must be {','.join(HEADER)}, found {header!r}")
            for record in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                if len(record) != len(HEADER):
                    errors.append(f"line {line}: expected {len(HEADER)} columns, found {len(record)}")
                    continue
                rows.append(Row(line, *(cell.strip() for cell in record)))
        except UnicodeDecodeError as exc:
            raise ValidationError(f"line {reader.line_num + 1}: not UTF-8 ({exc.reason})") from exc
        except csv.Error as exc:
            raise ValidationError(f"line {reader.line_num}: {exc}") from exc
    seen: dict[str, Row] = {}
    for row in rows:
        problem = _row_problem(row, seen)
        if problem:
            errors.append(f"line {row.line}: {problem}")
        seen.setdefault(row.code, row)
    if errors:
        raise ValidationError(errors[:MAX_ERRORS])
    return rows


def _row_problem(row: Row, seen: dict[str, Row]) -> str | None:
    if not CODE_RE.match(row.code):
        return f"code {row.code!r} is not 12 digits"
    if row.code in seen:
        return f"code {row.code} repeats line {seen[row.code].line}"
    if row.level not in DIVISION_LEVELS:
        return f"level {row.level!r} is not one of {', '.join(DIVISION_LEVELS)}"
    if not row.name or len(row.name) > 100:
        return "name is empty or longer than 100 characters"
    if row.level == Level.PROVINCE and row.parent_code:
        return "a province has no parent_code"
    if row.level not in ROOT_LEVELS and not row.parent_code:
        return "only the province, or a city without one, has no parent_code"
    if row.parent_code:
        if not CODE_RE.match(row.parent_code):
            return f"parent_code {row.parent_code!r} is not 12 digits"
        digits = PREFIX_DIGITS[row.level]
        if row.code[:digits] != row.parent_code[:digits]:
            return f"code {row.code} does not start with its parent's first {digits} digits ({row.parent_code})"
    return None


def divisions_import(*, path: Path = DEFAULT_PATH, actor=None) -> dict[str, dict[str, int]]:
    """Import divisions from `path`; returns counts per level: created, renamed, unchanged.

    Also `{"missing": {"total": n}}` for divisions in the database but not in the file.
    Raises ValidationError (messages `line N: …`, at most 20) and writes nothing if any
    row is bad, including a parent that is neither in the file nor in the database,
    a parent of the wrong level, or a known code whose level or parent differs.
    """
    rows = read_rows(Path(path))
    today = timezone.localdate()
    with tree_lock():
        existing = {
            area["code"]: area
            for area in Area.objects.filter(level__in=DIVISION_LEVELS).values(
                "pk", "code", "name", "level", "parent__code", "village_kind"
            )
        }
        level_of = {code: area["level"] for code, area in existing.items()} | {row.code: row.level for row in rows}
        errors, reparent = [], {}
        for row in rows:
            known = existing.get(row.code)
            if row.parent_code:
                parent_level = level_of.get(row.parent_code)
                if parent_level is None:
                    errors.append(f"line {row.line}: parent_code {row.parent_code} is neither in the file nor imported")
                elif parent_level != PARENT_LEVEL[row.level]:
                    expected = PARENT_LEVEL[row.level]
                    errors.append(f"line {row.line}: parent {row.parent_code} is a {parent_level}, not a {expected}")
            if known and known["level"] == Level.CITY and known["parent__code"] is None and row.parent_code:
                reparent[row.code] = row.parent_code  # a single-city root placed under its province
            elif known and (known["level"] != row.level or (known["parent__code"] or "") != row.parent_code):
                where = f"a {known['level']} under {known['parent__code']}"
                errors.append(f"line {row.line}: {row.code} is already imported as {where}")
        if Level.PROVINCE in level_of.values():
            errors += [
                f"line {row.line}: the tree has a province: a city needs it as parent_code"
                for row in rows
                if row.level == Level.CITY and not row.parent_code
            ]
        if errors:
            raise ValidationError(errors[:MAX_ERRORS])

        counts = {level: {"created": 0, "renamed": 0, "unchanged": 0} for level in DIVISION_LEVELS}
        new_nodes: dict[str, Area] = {}
        renamed: list[Area] = []
        history: list[AreaChange] = []
        for row in rows:
            kind = village_kind(row.name) if row.level == Level.VILLAGE else ""
            known = existing.get(row.code)
            if known is None:
                new_nodes[row.code] = Area(code=row.code, name=row.name, level=row.level, village_kind=kind)
                counts[row.level]["created"] += 1
            elif known["name"] != row.name:
                renamed.append(Area(pk=known["pk"], name=row.name, village_kind=kind or known["village_kind"]))
                history.append(
                    AreaChange(
                        area_id=known["pk"],
                        kind=ChangeKind.RENAME,
                        actor=actor,
                        effective_date=today,
                        before={"name": known["name"]},
                        after={"name": row.name},
                        note=f"import {Path(path).name} line {row.line}",
                    )
                )
                counts[row.level]["renamed"] += 1
            else:
                counts[row.level]["unchanged"] += 1
        parents = {code: Area(pk=area["pk"], code=code) for code, area in existing.items()}
        for row in rows:
            if row.code in new_nodes and row.parent_code:
                new_nodes[row.code].parent = new_nodes.get(row.parent_code) or parents[row.parent_code]
        bulk_insert(new_nodes.values(), reparent=reparent)
        history += [
            AreaChange(
                area_id=existing[code]["pk"],
                kind=ChangeKind.IMPORT,
                actor=actor,
                effective_date=today,
                before={"parent": None},
                after={"parent": parent_code},
                note=f"import {Path(path).name}: placed under {parent_code}",
            )
            for code, parent_code in reparent.items()
        ]
        Area.objects.bulk_update(renamed, ["name", "village_kind"], batch_size=1000)
        history += [
            AreaChange(
                area_id=node.pk, kind=ChangeKind.IMPORT, actor=actor, effective_date=today, after={"name": node.name}
            )
            for node in new_nodes.values()
        ]
        AreaChange.objects.bulk_create(history, batch_size=2000)
        in_file = {row.code for row in rows}
        counts["missing"] = {"total": sum(1 for code in existing if code not in in_file)}
    return counts
