"""The demo's boundaries: approximate district outlines, synthetic partitions below them.

No redistributable outline of Ningbo's districts was found (see grids/data/README.md),
so each district gets a clearly labelled approximate rectangle
(`data/ningbo-districts-approx.geojson`, properties `approximate: true`) placed roughly
where the district lies, the ten not overlapping. Below a district, townships,
villages, grids and micro-grids are cut from their parent with `grids.partition`
(areas proportional to households, deterministic from each parent's code), so every
level is inside its parent, covers it and does not overlap its siblings. Only
families whose active children all lack a boundary are drawn, so real boundaries
imported later are never overwritten and a second run changes nothing.
"""

import json
import time
from collections import defaultdict
from pathlib import Path

from django.db import connection

from .choices import Level, Status
from .geometry import to_shape
from .locking import tree_lock
from .models import Area
from .partition import partition

OUTLINES = Path(__file__).resolve().parent / "data" / "ningbo-districts-approx.geojson"
#: Weight of a grid-level area with no household count (a dedicated grid: a park, a market).
DEFAULT_HOUSEHOLDS = 300


def draw(*, root: Area, stdout) -> int:
    """Give the districts their outlines and draw the families under `root`; returns how many changed."""
    started = time.monotonic()
    with tree_lock():
        outlines = {f["properties"]["code"]: f["geometry"] for f in json.loads(OUTLINES.read_text("utf-8"))["features"]}
        rows = list(
            Area.objects.within(root.get_root())
            .filter(status=Status.ACTIVE)
            .values_list("pk", "code", "level", "parent_id", "households", "boundary", "tree_id", "lft", "rght")
        )
        rows.sort(key=lambda row: (row[6], row[7]))  # tree order: every parent before its children
        inside = {row[0] for row in rows if row[6] == root.tree_id and root.lft <= row[7] <= root.rght}
        boundary = {row[0]: row[5] for row in rows}
        changed = {}
        for pk, code, level, *_rest in rows:
            if level == Level.COUNTY and boundary[pk] is None and code in outlines:
                boundary[pk] = changed[pk] = outlines[code]
        children = defaultdict(list)
        for row in rows:
            if row[0] in inside and row[3] is not None:
                children[row[3]].append(row)
        weight = _weights(rows, children)
        for pk, code, *_rest in (row for row in rows if row[0] in inside):
            family = sorted(children.get(pk, []), key=lambda r: r[1])
            if boundary[pk] is None or not family or any(boundary[child[0]] is not None for child in family):
                continue
            pieces = partition(to_shape(boundary[pk]), [weight[child[0]] for child in family], seed=code)
            for child, piece in zip(family, pieces, strict=True):
                boundary[child[0]] = changed[child[0]] = piece
        _save(changed)
    stdout.write(f"boundaries: {len(changed)} drawn in {time.monotonic() - started:.1f}s")
    return len(changed)


def _weights(rows, children) -> dict[int, float]:
    """Households of each area: its own count, else the sum of its children's, else the default.

    `rows` are in tree order (parents first).
    """
    weight: dict[int, float] = {}
    for pk, _code, _level, _parent, households, *_rest in reversed(rows):  # children before parents
        if households:
            weight[pk] = float(households)
        else:
            total = sum(weight.get(child[0], 0) for child in children.get(pk, []))
            weight[pk] = total or DEFAULT_HOUSEHOLDS
    return weight


def _save(changed: dict[int, dict]) -> None:
    field = Area._meta.get_field("boundary")
    table = connection.ops.quote_name(Area._meta.db_table)
    column = connection.ops.quote_name(field.column)
    sql = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608 (names from the model)
    params = [(field.get_db_prep_save(value, connection), pk) for pk, value in changed.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 2000):
            cursor.executemany(sql, params[start : start + 2000])
