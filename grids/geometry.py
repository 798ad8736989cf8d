"""Boundaries as geometry: validity, nesting and partition checks (Art. 6, 7, 9).

Boundaries are GeoJSON Polygon/MultiPolygon in WGS 84 longitude/latitude degrees
(`grids.services.validate_boundary` checks their structure). Here shapely checks what
a family of areas (a parent and its active children) must satisfy:

- each boundary is a valid polygon (no self-intersection, no bow-tie);
- a child lies inside its parent, up to `TOLERANCE_M` metres (shared borders drawn
  by different hands rarely match to the centimetre);
- siblings do not overlap by more than `AREA_TOLERANCE_M2` square metres;
- where the parent's level must be covered (`MUST_COVER`: a district by its townships,
  a township by its villages, a village by its grids, a grid by its micro-grids — the
  Zhejiang rule of 网格全覆盖), the children leave no gap larger than that area. Coverage
  is judged only when every active child has a boundary.

Distances are planar in degrees, converted to metres at the family's latitude (an
error under 0.1 % across a district): exact enough for tolerances of a few metres.
"""

import json
import math
import numbers
from dataclasses import dataclass

import shapely
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.validation import explain_validity

from .choices import Level

#: Distance a child may stick out of its parent, in metres.
TOLERANCE_M = 2.0
#: Overlap between siblings, or gap in a covered parent, that is tolerated, in m².
AREA_TOLERANCE_M2 = 25.0
#: Metres per degree of latitude (WGS 84, mean).
M_PER_DEGREE = 111_320.0
#: Levels whose active children must cover them completely (网格全覆盖).
MUST_COVER = (Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE, Level.GRID)
#: WGS 84 longitude/latitude box around China: catches swapped or projected coordinates.
LON_RANGE = (73.0, 136.0)
LAT_RANGE = (3.0, 54.0)


def validate_boundary(value) -> dict | None:
    """Return a GeoJSON Polygon/MultiPolygon geometry (dict) or None for an empty value.

    Accepts a dict or a JSON string, and a Feature wrapping such a geometry.
    Coordinates are WGS 84 [longitude, latitude] inside China; each ring has at least
    four positions and ends where it starts. Raises ValidationError (Chinese message).
    """
    if value is None or value == "" or value == {}:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting (was a 500)
            raise ValidationError(_("边界不是有效的 JSON。")) from exc
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("边界必须是 GeoJSON 的 Polygon 或 MultiPolygon。"))
    coordinates = value.get("coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_("边界没有坐标。"))
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_("边界的多边形没有坐标环。"))
        for ring in polygon:
            _validate_ring(ring)
    return {"type": value["type"], "coordinates": coordinates}


def _validate_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(_("边界的每个坐标环至少需要 4 个点（首尾相同）。"))
    for position in ring:
        if (
            not isinstance(position, list)
            or len(position) not in (2, 3)
            or not all(isinstance(n, numbers.Real) and not isinstance(n, bool) for n in position)
        ):
            raise ValidationError(_("边界坐标应为 [经度, 纬度] 数字对。"))
        lon, lat = position[0], position[1]
        if not (LON_RANGE[0] <= lon <= LON_RANGE[1] and LAT_RANGE[0] <= lat <= LAT_RANGE[1]):
            raise ValidationError(
                _("边界坐标 [%(lon)s, %(lat)s] 不在中国境内（WGS 84，经度在前）。") % {"lon": lon, "lat": lat}
            )
    if ring[0] != ring[-1]:
        raise ValidationError(_("边界的坐标环必须闭合（首尾坐标相同）。"))


@dataclass(frozen=True)
class Problem:
    """One offence found in a family: the area's code and name, the kind, a Chinese message.

    `kind` is one of invalid, outside_parent, overlap, gap; `other` the code of the
    other area involved (the parent, or the overlapping sibling), or "".
    """

    code: str
    name: str
    kind: str
    message: str
    other: str = ""

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）：{self.message}"


@dataclass
class Node:
    """What the checks need of an area: its place in the tree and its boundary (GeoJSON or None)."""

    code: str
    name: str
    level: str
    parent_code: str | None
    boundary: dict | None

    @property
    def geometry(self):
        if not hasattr(self, "_geometry"):
            self._geometry = to_shape(self.boundary)
        return self._geometry


def to_shape(boundary: dict | None):
    """The shapely geometry of a GeoJSON Polygon/MultiPolygon dict (2-D), or None."""
    if not boundary:
        return None
    geometry = shape(boundary)
    return shapely.force_2d(geometry) if geometry.has_z else geometry


def square_metres(area_deg2: float, latitude: float) -> float:
    """Convert an area in square degrees at `latitude` (degrees) to square metres."""
    return area_deg2 * M_PER_DEGREE * M_PER_DEGREE * math.cos(math.radians(latitude))


def _degrees(metres: float) -> float:
    return metres / M_PER_DEGREE


def invalid_reason(node: Node) -> str | None:
    """Why `node`'s boundary is not a valid polygon (Chinese), or None when it is valid."""
    geometry = node.geometry
    if geometry is None or geometry.is_valid:
        return None
    if geometry.is_empty or geometry.area == 0:
        return _("边界面积为零。")
    return _("边界不是有效的多边形（%(reason)s）。") % {"reason": explain_validity(geometry)}


def check_family(parent: Node | None, children: list[Node], *, cover: bool = True) -> list[Problem]:
    """Check one family: children valid, inside `parent`, not overlapping, covering it.

    `children` are the parent's active children (those without a boundary are skipped,
    and then coverage is not judged). `parent` may be None or have no boundary: only
    validity and overlaps are checked then. Returns the problems, children's first.
    """
    problems: list[Problem] = []
    drawn = []
    for child in children:
        if child.geometry is None:
            continue
        reason = invalid_reason(child)
        if reason:
            problems.append(Problem(child.code, child.name, "invalid", reason))
        else:
            drawn.append(child)
    outer = parent.geometry if parent is not None else None
    if outer is not None and not outer.is_valid:
        outer = None  # the parent's own family reports it
    latitude = (outer or (drawn[0].geometry if drawn else None)).centroid.y if (outer or drawn) else 30.0
    if outer is not None:
        allowed = outer.buffer(_degrees(TOLERANCE_M) / math.cos(math.radians(latitude)))
        shapely.prepare(allowed)
        for child in drawn:
            if not allowed.contains(child.geometry):
                message = _("超出上级 %(parent)s 的边界（容差 %(m)s 米）。") % {"parent": parent.code, "m": TOLERANCE_M}
                problems.append(Problem(child.code, child.name, "outside_parent", message, parent.code))
    problems += _overlaps(drawn, latitude)
    if cover and outer is not None and parent.level in MUST_COVER and drawn and len(drawn) == len(children):
        covered = shapely.union_all([child.geometry for child in drawn])
        gap = square_metres(outer.difference(covered).area, latitude)
        if gap > AREA_TOLERANCE_M2:
            message = _("下级边界未覆盖全部范围，空缺约 %(m2)s 平方米。") % {"m2": f"{gap:,.0f}"}
            problems.append(Problem(parent.code, parent.name, "gap", message))
    return problems


def _overlaps(drawn: list[Node], latitude: float) -> list[Problem]:
    if len(drawn) < 2:
        return []
    geometries = [child.geometry for child in drawn]
    tree = shapely.STRtree(geometries)
    left, right = tree.query(geometries, predicate="intersects")
    problems = []
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j:
            continue
        overlap = square_metres(geometries[i].intersection(geometries[j]).area, latitude)
        if overlap > AREA_TOLERANCE_M2:
            a, b = drawn[i], drawn[j]
            other = f"{b.name}（{b.code}）"
            message = _("与 %(other)s 重叠约 %(m2)s 平方米。") % {"other": other, "m2": f"{overlap:,.0f}"}
            problems.append(Problem(a.code, a.name, "overlap", message, b.code))
    return problems


def check_nodes(nodes: dict[str, Node], changed: set[str], *, cover: bool = True) -> list[Problem]:
    """Check every family that a change to the codes in `changed` touches.

    `nodes` maps code → Node for (at least) the changed nodes, their parents, their
    active siblings and their active children, with the boundaries as they would be
    after the change. Only problems that involve a changed node (as the offender, the
    other party, or the parent whose coverage it changes) are returned, so that old
    faults elsewhere do not block an unrelated change.
    """
    children: dict[str | None, list[Node]] = {}
    for node in nodes.values():
        children.setdefault(node.parent_code, []).append(node)
    families = {nodes[code].parent_code for code in changed} | set(changed)
    problems = []
    for family in sorted(families, key=lambda code: code or ""):
        kin = sorted(children.get(family, []), key=lambda node: node.code)
        if not kin:
            continue
        for problem in check_family(nodes.get(family), kin, cover=cover):
            if problem.code in changed or problem.other in changed or problem.kind == "gap":
                problems.append(problem)
    return problems


def union_boundary(boundaries: list[dict | None]) -> dict | None:
    """The GeoJSON union of `boundaries` (e.g. grids merged into one), or None if any is missing."""
    if not boundaries or any(boundary is None for boundary in boundaries):
        return None
    union = shapely.union_all([to_shape(boundary) for boundary in boundaries])
    return json.loads(shapely.to_geojson(union))
