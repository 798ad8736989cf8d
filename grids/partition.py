"""Cut an outline into nested, non-overlapping pieces: the demo's and the benchmark's boundaries.

No public boundaries exist below district level, so the demo and the benchmark draw
townships, villages, grids and micro-grids by recursive guillotine cuts: the pieces'
areas are proportional to given weights (households), each cut runs across the longer
side of the piece being cut, and the pieces of one parent cover it exactly and never
overlap — every level is consistent with the one above, as `grids.geometry` requires.
The same outline, weights and seed give the same pieces. Real boundaries replace them
through `manage.py import_boundaries`.

Coordinates are WGS 84 longitude/latitude degrees, rounded to 6 decimals (~0.1 m):
shared cut lines round identically, so neighbours still meet exactly.
"""

import json
import random

import shapely

#: Digits kept in the coordinates of drawn pieces (1e-6° ≈ 0.1 m).
DIGITS = 6
_BISECTIONS = 40


def partition(outline, weights: list[float], seed: str) -> list[dict]:
    """Cut the shapely (Multi)Polygon `outline` into `len(weights)` pieces, areas ∝ `weights`.

    Returns GeoJSON geometry dicts in `weights` order (a piece of a concave outline may
    be a MultiPolygon). `seed` (any string, e.g. the parent's code) fixes the random
    choices. Raises ValueError for no weights or a weight ≤ 0.
    """
    if not weights or min(weights) <= 0:
        raise ValueError("partition needs one or more positive weights")
    rng = random.Random(seed)  # noqa: S311 (drawing, not secrets)
    if _is_rectangle(outline):
        return [box_geojson(bounds) for bounds in partition_box(outline.bounds, weights, rng)]
    pieces: list = [None] * len(weights)
    _cut(outline, list(enumerate(weights)), rng, pieces)
    return [to_geojson(piece) for piece in pieces]


def box_geojson(bounds: tuple) -> dict:
    """The GeoJSON Polygon of the rectangle (west, south, east, north), counter-clockwise."""
    west, south, east, north = bounds
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def partition_box(bounds: tuple, weights: list[float], rng: random.Random) -> list[tuple]:
    """The same cuts on the rectangle `bounds` (west, south, east, north), all in floats.

    Returns one (west, south, east, north) per weight. Used directly by the benchmark,
    which cuts half a million rectangles.
    """
    out: list = [None] * len(weights)
    stack = [(bounds, list(enumerate(weights)))]
    while stack:
        (west, south, east, north), items = stack.pop()
        if len(items) == 1:
            out[items[0][0]] = tuple(round(v, DIGITS) for v in (west, south, east, north))
            continue
        first, second, share = _halves(items, rng)
        if east - west >= north - south:
            cut = west + (east - west) * share
            stack += [((west, south, cut, north), first), ((cut, south, east, north), second)]
        else:
            cut = south + (north - south) * share
            stack += [((west, south, east, cut), first), ((west, cut, east, north), second)]
    return out


def _halves(items: list, rng: random.Random) -> tuple[list, list, float]:
    """Split `items` (index, weight) in two runs of similar count; returns them and the first's share."""
    middle = len(items) // 2
    if len(items) > 3:
        middle += rng.choice((-1, 0, 0, 1))
    first, second = items[:middle], items[middle:]
    total = sum(w for _, w in items)
    return first, second, sum(w for _, w in first) / total


def _is_rectangle(geometry) -> bool:
    return (
        geometry.geom_type == "Polygon"
        and len(geometry.interiors) == 0
        and len(geometry.exterior.coords) == 5
        and (abs(geometry.area - geometry.envelope.area) <= 1e-12 * max(geometry.envelope.area, 1e-12))
    )


def _cut(geometry, items: list, rng: random.Random, out: list) -> None:
    if len(items) == 1:
        out[items[0][0]] = _polygonal(geometry)
        return
    first, second, share = _halves(items, rng)
    west, south, east, north = geometry.bounds
    vertical = east - west >= north - south
    low, high = (west, east) if vertical else (south, north)
    target = geometry.area * share
    for _ in range(_BISECTIONS):  # the area left of (below) the cut grows with the cut
        middle = (low + high) / 2
        if shapely.intersection(geometry, _side(geometry.bounds, middle, vertical, True)).area < target:
            low = middle
        else:
            high = middle
    cut = round((low + high) / 2, DIGITS)
    _cut(shapely.intersection(geometry, _side(geometry.bounds, cut, vertical, True)), first, rng, out)
    _cut(shapely.intersection(geometry, _side(geometry.bounds, cut, vertical, False)), second, rng, out)


def _side(bounds: tuple, cut: float, vertical: bool, before: bool):
    west, south, east, north = bounds
    if vertical:
        return shapely.box(west, south, cut, north) if before else shapely.box(cut, south, east, north)
    return shapely.box(west, south, east, cut) if before else shapely.box(west, cut, east, north)


def _polygonal(geometry):
    """The polygons of an overlay result (dropping lines and points where pieces touch)."""
    parts = [part for part in shapely.get_parts(geometry) if part.geom_type in ("Polygon", "MultiPolygon")]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(list(shapely.get_parts(parts)))


def to_geojson(geometry) -> dict:
    """A GeoJSON geometry dict of `geometry`, coordinates rounded to `DIGITS` decimals."""
    return json.loads(shapely.to_geojson(shapely.set_precision(geometry, 10**-DIGITS)))
