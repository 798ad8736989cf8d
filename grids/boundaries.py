"""Import and check area boundaries against the tree (Art. 6, 7, 9).

`boundaries_import` loads boundaries for existing areas from a GeoJSON
FeatureCollection or an ESRI Shapefile (`read_features`), checks them with
`grids.geometry` together with what is already in the database, and writes them all
or nothing: any problem and nothing is imported, with a report naming each offending
area. Each changed boundary gets an `AreaChange` (kind import) holding the old and the
new boundary, so the history keeps every boundary an area ever had.

`placement_problems` is the same check for one area redrawn, created or merged by the
adjustment services.
"""

import json
from dataclasses import dataclass
from pathlib import Path

import shapefile
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ChangeKind, Status
from .geometry import Node, check_nodes, validate_boundary
from .locking import tree_lock
from .models import Area, AreaChange

#: Property / attribute names tried, in order, for an area's unified code.
CODE_FIELDS = ("code", "CODE", "adcode", "ADCODE", "id", "ID")
#: Shapefile .prj texts that are WGS 84 or CGCS2000 longitude/latitude.
GEOGRAPHIC_PRJ = ("GCS_WGS_1984", "WGS 84", "WGS_1984", "CGCS2000", "China Geodetic Coordinate System 2000")
CHUNK = 900  # SQLite's bound-parameter limit, with room to spare


@dataclass
class Feature:
    """One boundary read from a file: the area's code, its GeoJSON geometry, where it was (for errors)."""

    code: str
    geometry: dict | None
    where: str


class BoundaryImportError(ValidationError):
    """Raised with the list of `Problem`s (and unreadable features as messages); nothing was written."""

    def __init__(self, problems: list):
        self.problems = problems
        super().__init__([str(problem) for problem in problems])


def read_features(path: str | Path, code_field: str | None = None) -> list[Feature]:
    """Read the boundaries in a `.geojson`/`.json` FeatureCollection or a `.shp` Shapefile.

    The code is taken from `code_field` or the first of `CODE_FIELDS` present (a GeoJSON
    feature's `id` too). A Shapefile with a `.prj` that is not WGS 84 / CGCS2000
    longitude/latitude is refused. Raises ValidationError (Chinese) for an unreadable file.
    """
    path = Path(path)
    if path.suffix.lower() == ".shp":
        return _read_shapefile(path, code_field)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ValidationError(_("无法读取 GeoJSON 文件：%(error)s") % {"error": exc}) from exc
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or data.get("type") != "FeatureCollection":
        raise ValidationError(_("GeoJSON 文件应为 FeatureCollection。"))
    found = []
    for number, feature in enumerate(features, start=1):
        properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        code = _code(properties, code_field) or (str(feature.get("id", "")) if isinstance(feature, dict) else "")
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        found.append(Feature(code=code, geometry=geometry, where=_("第 %(n)s 个要素") % {"n": number}))
    return found


def _code(properties: dict, code_field: str | None) -> str:
    for field in (code_field,) if code_field else CODE_FIELDS:
        value = properties.get(field)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _read_shapefile(path: Path, code_field: str | None) -> list[Feature]:
    prj = path.with_suffix(".prj")
    text = prj.read_text(errors="replace").strip() if prj.exists() else ""
    if text and not (text.upper().startswith("GEOGCS") and any(name in text for name in GEOGRAPHIC_PRJ)):
        raise ValidationError(_("Shapefile 的坐标系不是 WGS 84 或 CGCS2000 经纬度，请先转换。"))
    try:
        with shapefile.Reader(str(path), encoding="utf-8") as reader:
            features = []
            for number, record in enumerate(reader.iterShapeRecords(), start=1):
                geometry = record.shape.__geo_interface__ if record.shape.shapeType else None
                features.append(
                    Feature(
                        code=_code(record.record.as_dict(), code_field),
                        geometry=json.loads(json.dumps(geometry)),  # tuples → lists, as GeoJSON
                        where=_("第 %(n)s 条记录") % {"n": number},
                    )
                )
            return features
    except (shapefile.ShapefileException, OSError, UnicodeDecodeError) as exc:
        raise ValidationError(_("无法读取 Shapefile：%(error)s") % {"error": exc}) from exc


def load_nodes(changed: dict[str, dict | None]) -> dict[str, Node]:
    """Nodes for `check_nodes`: the active areas among `changed` (code → new boundary) with
    their new boundaries, their parents, and their active siblings and children as stored.
    Retired areas in `changed` are left out: their boundary is history.
    """
    rows = {}
    for start in range(0, len(changed), CHUNK):
        codes = list(changed)[start : start + CHUNK]
        queryset = Area.objects.filter(code__in=codes, status=Status.ACTIVE)
        rows.update({row["code"]: row for row in _rows(queryset)})
    ids = {row["id"] for row in rows.values()} | {row["parent_id"] for row in rows.values() if row["parent_id"]}
    nodes = _family_nodes(ids)
    for code in rows:
        nodes[code].boundary = changed[code]
    return nodes


def _family_nodes(ids) -> dict[str, Node]:
    """The active areas with the given ids and their active children, as `Node`s."""
    ids = sorted(ids)
    nodes = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for queryset in (Area.objects.filter(pk__in=chunk), Area.objects.filter(parent_id__in=chunk)):
            for row in _rows(queryset.filter(status=Status.ACTIVE)):
                nodes[row["code"]] = Node(row["code"], row["name"], row["level"], row["parent__code"], row["boundary"])
    return nodes


def _rows(queryset):
    return queryset.values("id", "code", "name", "level", "parent_id", "parent__code", "boundary")


def placement_problems(area: Area, boundary: dict | None) -> list[str]:
    """Why `area` (saved, or new with `parent` set) cannot take `boundary` (validated GeoJSON).

    Checks validity, being inside the parent and not overlapping active siblings, and
    that its active children stay inside it; not coverage, which a single adjustment
    cannot keep (re-import the family's boundaries to check it). Returns Chinese messages.
    """
    if boundary is None:
        return []
    if area.pk:
        nodes = load_nodes({area.code: boundary})
    else:
        nodes = _family_nodes([area.parent_id])
        nodes[area.code] = Node(area.code, area.name, area.level, area.parent.code, boundary)
    return [str(problem) for problem in check_nodes(nodes, {area.code}, cover=False)]


def block_placement_problems(family: Area, new: list[Area], checked: list[Area]) -> list[str]:
    """Why the unsaved nodes `checked` (among `new`) cannot take their boundaries, checked at once.

    `new` are the nodes an adjustment adds below `family` (saved, active), parents before
    their children; `family`'s active children are read once and the new nodes are
    placed beside them in memory. Each node of `checked` with a boundary is checked as
    `placement_problems` checks a new node: inside its parent, not overlapping its active
    siblings (new or stored). Returns Chinese messages.
    """
    checked = [area for area in checked if area.boundary is not None]
    if not checked:
        return []
    nodes = _family_nodes([family.pk])
    for area in new:
        nodes[area.code] = Node(area.code, area.name, area.level, area.parent.code, area.boundary)
    return [str(problem) for problem in check_nodes(nodes, {area.code for area in checked}, cover=False)]


def boundaries_import(*, actor, features: list[Feature], note: str = "") -> dict:
    """Set the boundaries in `features` on existing areas, all or nothing (Art. 9).

    Each feature names an area by code (active or retired; a retired area's boundary is
    history and not checked against its siblings). Structure is validated as
    `services.validate_boundary` does; geometry with `grids.geometry.check_nodes`,
    coverage included. Raises BoundaryImportError listing every problem (nothing
    written). Returns counts: {"changed": n, "unchanged": n}.
    """
    problems: list = []
    boundaries: dict[str, dict] = {}
    for feature in features:
        if not feature.code:
            problems.append(_("%(where)s：缺少编码。") % {"where": feature.where})
        elif feature.code in boundaries:
            problems.append(_("%(where)s：编码 %(code)s 重复。") % {"where": feature.where, "code": feature.code})
        else:
            try:
                boundaries[feature.code] = validate_boundary(feature.geometry)
            except ValidationError as exc:
                where = f"{feature.where}（{feature.code}）"
                problems.append(_("%(where)s：%(message)s") % {"where": where, "message": "；".join(exc.messages)})
    with tree_lock():
        known = set()
        for start in range(0, len(boundaries), CHUNK):
            codes = list(boundaries)[start : start + CHUNK]
            known.update(Area.objects.filter(code__in=codes).values_list("code", flat=True))
        problems += [_("没有编码为 %(code)s 的区域。") % {"code": code} for code in boundaries if code not in known]
        if problems:
            raise BoundaryImportError(problems)
        nodes = load_nodes(boundaries)
        problems = check_nodes(nodes, set(boundaries) & set(nodes))
        if problems:
            raise BoundaryImportError(problems)
        return _write(boundaries, actor=actor, note=note)


def _write(boundaries: dict[str, dict], *, actor, note: str) -> dict:
    today, now = timezone.localdate(), timezone.now()
    changed = unchanged = 0
    codes = list(boundaries)
    for start in range(0, len(codes), CHUNK):
        areas = list(Area.objects.filter(code__in=codes[start : start + CHUNK]))
        moved = [area for area in areas if area.boundary != boundaries[area.code]]
        unchanged += len(areas) - len(moved)
        changes = []
        for area in moved:
            changes.append(
                AreaChange(
                    area=area,
                    kind=ChangeKind.IMPORT,
                    actor=actor,
                    effective_date=today,
                    before={"boundary": area.boundary},
                    after={"boundary": boundaries[area.code]},
                    note=note,
                )
            )
            area.boundary = boundaries[area.code]
            area.updated_at = now
        Area.objects.bulk_update(moved, ["boundary", "updated_at"], batch_size=500)
        AreaChange.objects.bulk_create(changes, batch_size=500)
        changed += len(moved)
    return {"changed": changed, "unchanged": unchanged}
