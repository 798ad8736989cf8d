"""Position → area: which micro-grid, grid, village, township and district hold a point.

Exact point-in-polygon on the stored boundaries (WGS 84 longitude/latitude), in
Python with shapely, so SQLite and PostgreSQL give the same answer (no PostGIS).

The index is built once per tree version and kept as files (`LOCATE_INDEX_DIR`,
default `$VAR_DIR/locate/`) that every web and worker process on the host maps
read-only (numpy `mmap_mode="r"`): the operating system keeps one copy in its page
cache, shared by all processes, instead of one ~630 MB STRtree per process at
province scale, and a process starting or seeing a new version maps the files in
milliseconds instead of rebuilding for ~14 CPU-seconds. Chosen by measurement
(`bench/locate.py`, bench/RESULTS.md). The files hold, for every active area, its
primary key, parent row, level, code and name; for every drawn one, its bounding box
and its boundary as WKB; and a uniform grid of cells over the drawn extent listing, per
cell, the areas whose box touches it — deepest level first, then lowest code.

A look-up takes the point's cell, keeps the candidates whose box holds the point, and
tests them in that order with shapely (`intersects`, so a point on a border belongs to
both neighbours); the first hit is the answer: the deepest level holding the point,
and on a shared border the lowest code, so the answer is deterministic. The chain comes
from the parent rows of that area, so it is always consistent with the tree even where
a lower level has no boundary (then the chain stops at the deepest level that has one).
Every tree write moves `TreeVersion` (number and a fresh stamp) in its transaction; a
look-up costs one primary-key query for it, plus the look-up itself.
"""

import fcntl
import hashlib
import logging
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from .choices import GRID_LEVELS, Level, Status
from .coords import TO_WGS84
from .models import Area, TreeVersion

logger = logging.getLogger(__name__)

#: Depth of each level, top first.
DEPTH = {level: depth for depth, level in enumerate(Level.values)}
#: The arrays of an index, each one `.npy` file.
ARRAYS = ("pk", "parent", "depth", "code", "name_off", "name_blob", "bbox", "wkb_off", "wkb_blob")
ARRAYS += ("cell_off", "cell_items", "grid")
#: Most cells of the uniform grid (its offsets take 8 bytes a cell).
MAX_CELLS = 4_000_000


@dataclass(frozen=True)
class Located:
    """One area of a look-up's chain: primary key, unified code, name, level."""

    pk: int
    code: str
    name: str
    level: str


def build_arrays(rows) -> dict[str, np.ndarray]:
    """The index's arrays from `rows`: (pk, code, name, level, parent_pk, boundary GeoJSON text or None).

    Every active area is a row (those without a boundary too: the chains need them).
    Boundaries are parsed with shapely (vectorised) and kept as WKB; the cell grid's
    side is about the mean size of a drawn area, so a cell lists a few areas per level.
    """
    pks, codes, names, depths, parents, texts = [], [], [], [], [], []
    for pk, code, name, level, parent_pk, text in rows:
        pks.append(pk)
        codes.append(code)
        names.append(name)
        depths.append(DEPTH[level])
        parents.append(parent_pk)
        texts.append(text)
    n = len(pks)
    row_of = {pk: i for i, pk in enumerate(pks)}
    encoded = [name.encode() for name in names]
    name_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(e) for e in encoded], out=name_off[1:])
    arrays = {
        "pk": np.array(pks, dtype=np.int64),
        "parent": np.array([row_of.get(p, -1) if p is not None else -1 for p in parents], dtype=np.int32),
        "depth": np.array(depths, dtype=np.int8),
        "code": np.array(codes, dtype=f"S{max((len(c) for c in codes), default=1)}"),
        "name_off": name_off,
        "name_blob": np.frombuffer(b"".join(encoded), dtype=np.uint8).copy(),
    }
    drawn = np.array([i for i, text in enumerate(texts) if text], dtype=np.int64)
    geometries = shapely.from_geojson(np.array([texts[i] for i in drawn], dtype=object)) if len(drawn) else []
    bbox = np.full((n, 4), np.nan)
    wkb_sizes = np.zeros(n, dtype=np.int64)
    blobs = shapely.to_wkb(geometries) if len(drawn) else []
    if len(drawn):
        bbox[drawn] = shapely.bounds(geometries)
        wkb_sizes[drawn] = [len(b) for b in blobs]
    wkb_off = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(wkb_sizes, out=wkb_off[1:])
    arrays["bbox"] = bbox
    arrays["wkb_off"] = wkb_off
    arrays["wkb_blob"] = np.frombuffer(b"".join(blobs), dtype=np.uint8).copy()
    arrays.update(_cells(bbox[drawn], drawn, arrays["depth"][drawn], arrays["code"][drawn]))
    return arrays


def _cells(boxes, drawn, depths, codes) -> dict[str, np.ndarray]:
    """The uniform grid: `grid` = [west, south, side, nx, ny]; per cell, its areas' rows
    (`cell_items[cell_off[c]:cell_off[c + 1]]`), deepest first, then lowest code."""
    if not len(drawn):
        return {"grid": np.array([0, 0, 1, 0, 0], dtype=np.float64), "cell_off": np.zeros(1, np.int64),
                "cell_items": np.zeros(0, np.int32)}  # fmt: skip
    west, south = boxes[:, 0].min(), boxes[:, 1].min()
    width, height = boxes[:, 2].max() - west, boxes[:, 3].max() - south
    side = max(np.sqrt(width * height / len(drawn)), np.sqrt(width * height / MAX_CELLS), 1e-6)
    nx, ny = int(width // side) + 1, int(height // side) + 1
    x0 = np.clip(((boxes[:, 0] - west) // side).astype(np.int64), 0, nx - 1)
    x1 = np.clip(((boxes[:, 2] - west) // side).astype(np.int64), 0, nx - 1)
    y0 = np.clip(((boxes[:, 1] - south) // side).astype(np.int64), 0, ny - 1)
    y1 = np.clip(((boxes[:, 3] - south) // side).astype(np.int64), 0, ny - 1)
    wide = x1 - x0 + 1
    counts = wide * (y1 - y0 + 1)
    owner = np.repeat(np.arange(len(drawn)), counts)
    local = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cell = (y0[owner] + local // wide[owner]) * nx + x0[owner] + local % wide[owner]
    code_rank = np.argsort(np.argsort(codes, kind="stable"), kind="stable")
    order = np.lexsort((code_rank[owner], -depths[owner].astype(np.int16), cell))
    return {
        "grid": np.array([west, south, side, nx, ny], dtype=np.float64),
        "cell_off": np.searchsorted(cell[order], np.arange(nx * ny + 1)).astype(np.int64),
        "cell_items": drawn[owner[order]].astype(np.int32),
    }


class LocateIndex:
    """A read-only index over the arrays of `build_arrays` (in memory, or mapped from files)."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.a = arrays
        west, south, side, nx, ny = arrays["grid"].tolist()
        self.grid = (west, south, side, int(nx), int(ny))

    def __len__(self) -> int:
        """The number of drawn areas."""
        return int(np.count_nonzero(self.a["wkb_off"][1:] != self.a["wkb_off"][:-1]))

    def _located(self, row: int) -> Located:
        a = self.a
        name = bytes(a["name_blob"][a["name_off"][row] : a["name_off"][row + 1]]).decode()
        return Located(int(a["pk"][row]), a["code"][row].decode(), name, Level.values[a["depth"][row]])

    def locate(self, lon: float, lat: float) -> list[Located]:
        """The chain of areas holding (lon, lat), top (the city) first; [] if none holds it."""
        west, south, side, nx, ny = self.grid
        x, y = int((lon - west) // side), int((lat - south) // side)
        if not (0 <= x < nx and 0 <= y < ny):
            return []
        a, cell = self.a, y * nx + x
        rows = a["cell_items"][a["cell_off"][cell] : a["cell_off"][cell + 1]]
        boxes = a["bbox"][rows]
        rows = rows[(boxes[:, 0] <= lon) & (boxes[:, 2] >= lon) & (boxes[:, 1] <= lat) & (boxes[:, 3] >= lat)]
        for row in rows.tolist():  # deepest level first, then lowest code: the first hit is the answer
            geometry = shapely.from_wkb(bytes(a["wkb_blob"][a["wkb_off"][row] : a["wkb_off"][row + 1]]))
            if shapely.intersects_xy(geometry, lon, lat):
                return self._chain(row)
        return []

    def _chain(self, row: int) -> list[Located]:
        chain = []
        while row >= 0:
            chain.append(self._located(row))
            row = int(self.a["parent"][row])
        return chain[::-1]


def save(arrays: dict[str, np.ndarray], directory: Path) -> None:
    """Write the arrays as `.npy` files into `directory` (created; it must not exist), atomically."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="tmp-", dir=directory.parent))
    for name in ARRAYS:
        np.save(scratch / f"{name}.npy", arrays[name], allow_pickle=False)
    os.rename(scratch, directory)


def load(directory: Path) -> LocateIndex:
    """Map an index's files read-only (shared with every process that maps them)."""
    return LocateIndex({name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in ARRAYS})


def index_dir() -> Path:
    """Where the index files live: `settings.LOCATE_INDEX_DIR`, else `$VAR_DIR/locate`."""
    return Path(getattr(settings, "LOCATE_INDEX_DIR", "") or Path(settings.VAR_DIR) / "locate")


def build_index() -> dict[str, np.ndarray]:
    """Read the active areas from the database and build the index's arrays."""
    rows = (
        Area.objects.filter(status=Status.ACTIVE)
        .annotate(text=Cast("boundary", TextField()))
        .values_list("pk", "code", "name", "level", "parent_id", "text")
        .order_by()
    )
    return build_arrays(row if row[5] != "null" else (*row[:5], None) for row in rows.iterator(chunk_size=5000))


def _shared(version: tuple[int, object]) -> LocateIndex:
    """The files of `version`, built first by whichever process asks first (others wait on a lock).

    Kept per database (a directory named by a hash of its vendor and name), so a test run
    and a server sharing `$VAR_DIR` never remove each other's files."""
    database = f"{connection.vendor}:{connection.settings_dict['NAME']}"
    root = index_dir() / hashlib.sha256(database.encode()).hexdigest()[:12]
    directory = root / f"{version[0]}-{version[1]}"
    if not directory.exists():
        root.mkdir(parents=True, exist_ok=True)
        with open(root / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not directory.exists():
                save(build_index(), directory)
                for old in root.iterdir():  # mapped files stay readable for processes still using them
                    if old.is_dir() and old != directory and not old.name.startswith("tmp-"):
                        shutil.rmtree(old, ignore_errors=True)
    return load(directory)


_lock = threading.Lock()
_cached: tuple[tuple, LocateIndex] | None = None


def current_index() -> LocateIndex:
    """This process's index for the current tree version (mapped from the shared files).

    If the files cannot be written (a read-only disk), the index is built in this
    process's memory instead, with a warning in the log."""
    global _cached
    version = TreeVersion.current()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    with _lock:
        if _cached is None or _cached[0] != version:
            try:
                # before the first tree write there is no stamp to name files by: memory only
                index = _shared(version) if version[1] is not None else LocateIndex(build_index())
            except OSError:
                logger.warning("locate index files not writable in %s: building in memory", index_dir())
                index = LocateIndex(build_index())
            _cached = (version, index)
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
