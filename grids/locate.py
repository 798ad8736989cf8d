"""Position → area: which micro-grid, grid, village, township and district hold a point.

Exact point-in-polygon on the stored boundaries (WGS 84 longitude/latitude), in
Python with shapely, so SQLite and PostgreSQL give the same answer (no PostGIS). The
technique was chosen by measurement (`bench/locate.py`, figures in bench/RESULTS.md):
an STRtree (R-tree, packed once) over every active area's boundary, prepared for
repeated containment tests, built once per process and rebuilt when `TreeVersion`
moves (every tree write moves it, in the same transaction). A look-up costs one
primary-key query (the version) plus the tree query.

A point on a shared border belongs to both neighbours; the lowest code wins, so the
answer is deterministic. The chain comes from the tree's parent links of the deepest
area found, so it is always consistent with the tree even where a lower level has no
boundary (then the chain stops at the deepest level that has one).
"""

import threading
from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import TextField
from django.db.models.functions import Cast

from .choices import GRID_LEVELS, Level, Status
from .coords import TO_WGS84
from .models import Area, TreeVersion

#: Depth of each level, top first.
DEPTH = {level: depth for depth, level in enumerate(Level.values)}


@dataclass(frozen=True)
class Located:
    """One area of a look-up's chain: primary key, unified code, name, level."""

    pk: int
    code: str
    name: str
    level: str


class LocateIndex:
    """An immutable index of the active areas' boundaries.

    `rows` are (pk, code, name, level, parent_pk, boundary GeoJSON text or None) for every
    active area (those without a boundary too: they are needed for the chains). Building
    parses the boundaries (vectorised `shapely.from_geojson`), prepares them and packs an
    STRtree.
    """

    def __init__(self, rows):
        self.pks, self.codes, self.names, self.levels, parents, texts = [], [], [], [], [], []
        for pk, code, name, level, parent_pk, text in rows:
            self.pks.append(pk)
            self.codes.append(code)
            self.names.append(name)
            self.levels.append(level)
            parents.append(parent_pk)
            texts.append(text)
        self.row_of = {pk: i for i, pk in enumerate(self.pks)}
        self.parent_row = [self.row_of.get(parent) for parent in parents]
        drawn = [i for i, text in enumerate(texts) if text]
        self.drawn_rows = np.array(drawn, dtype=np.int64)
        self.depths = np.array([DEPTH[self.levels[i]] for i in drawn], dtype=np.int8)
        geometries = shapely.from_geojson(np.array([texts[i] for i in drawn], dtype=object))
        shapely.prepare(geometries)
        self.tree = shapely.STRtree(geometries)

    def __len__(self) -> int:
        return len(self.drawn_rows)

    def locate(self, lon: float, lat: float) -> list[Located]:
        """The chain of areas holding (lon, lat), top (the city) first; [] if none holds it."""
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        if not len(hits):
            return []
        deepest = self.depths[hits].max()
        rows = self.drawn_rows[hits[self.depths[hits] == deepest]]
        row = min(rows.tolist(), key=lambda i: self.codes[i])
        chain = []
        while row is not None:
            chain.append(Located(self.pks[row], self.codes[row], self.names[row], self.levels[row]))
            row = self.parent_row[row]
        return chain[::-1]


_lock = threading.Lock()
_cached: tuple[int, LocateIndex] | None = None


def build_index() -> LocateIndex:
    """Read the active areas from the database and build a `LocateIndex`."""
    rows = (
        Area.objects.filter(status=Status.ACTIVE)
        .annotate(text=Cast("boundary", TextField()))
        .values_list("pk", "code", "name", "level", "parent_id", "text")
        .order_by()
    )
    return LocateIndex(row if row[5] != "null" else (*row[:5], None) for row in rows.iterator(chunk_size=5000))


def current_index() -> LocateIndex:
    """This process's index, rebuilt first if the tree changed since it was built."""
    global _cached
    version = TreeVersion.current()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != version:
            _cached = (version, build_index())
        return _cached[1]


def locate(*, lat: float, lon: float) -> list[Located]:
    """The areas holding the point (WGS 84 degrees), city first, down to the micro-grid.

    Raises ValueError if `lat`/`lon` are not finite numbers within ±90/±180.
    """
    if not (np.isfinite(lat) and np.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError("lat/lon out of range")
    return current_index().locate(lon, lat)


def chain_at(*, lat: float, lon: float, datum: str = "wgs84") -> list[Located]:
    """`locate` for a position given in `datum` (wgs84, cgcs2000, gcj02 or bd09), converted to WGS 84.

    Raises ValueError for an out-of-range position or an unknown datum.
    """
    if datum not in TO_WGS84:
        raise ValueError(f"unknown datum {datum!r}")
    lon, lat = TO_WGS84[datum](float(lon), float(lat))
    return locate(lat=lat, lon=lon)


def grid_at(*, lat: float, lon: float, datum: str = "wgs84") -> Area | None:
    """The deepest grid-level area (micro-grid, else grid) holding a position, or None.

    `lat`/`lon` are decimal degrees in `datum` (see `chain_at`; a phone's GPS gives
    WGS 84). None when no drawn grid holds the point (outside the city, or where
    boundaries are not drawn). Raises ValueError for an out-of-range position or an
    unknown datum. Serves a report, a public demand and an Open311 request placed by
    position (Art. 17).
    """
    grids = [area for area in chain_at(lat=lat, lon=lon, datum=datum) if area.level in GRID_LEVELS]
    return Area.objects.filter(pk=grids[-1].pk).first() if grids else None
