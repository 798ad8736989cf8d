"""Fixtures of the grids tests: a small divisions file and the shared tree."""

import json

import pytest

from grids.boundaries import boundaries_import, read_features
from tests.scenario import make_tree

HEADER = "code,name,level,parent_code\n"
SMALL_DIVISIONS = [
    ("330200000000", "宁波市", "city", ""),
    ("330203000000", "海曙区", "county", "330200000000"),
    ("330203001000", "南门街道", "township", "330203000000"),
    ("330203001001", "尹江岸社区居委会", "village", "330203001000"),
    ("330203001002", "澄浪社区", "village", "330203001000"),
    ("330203101000", "集士港镇", "township", "330203000000"),
    ("330203101201", "前王村委会", "village", "330203101000"),
    ("330203101202", "三溪农场生活区", "village", "330203101000"),
]


def write_csv(path, rows) -> str:
    path.write_text(HEADER + "".join(",".join(row) + "\n" for row in rows), encoding="utf-8")
    return str(path)


@pytest.fixture
def divisions_csv(tmp_path):
    return write_csv(tmp_path / "divisions.csv", SMALL_DIVISIONS)


@pytest.fixture
def tree(db):
    return make_tree()


def box(west, south, east, north) -> dict:
    """A GeoJSON rectangle (WGS 84 lon/lat)."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


VILLAGE = box(121.50, 29.80, 121.60, 29.90)
GRID = box(121.50, 29.80, 121.55, 29.90)
GRID2 = box(121.55, 29.80, 121.60, 29.90)
MICRO = box(121.50, 29.80, 121.55, 29.90)


def family(tree) -> dict[str, dict]:
    """Consistent boundaries for the tree's first village, its two grids and the micro-grid."""
    return {tree.village.code: VILLAGE, tree.grid.code: GRID, tree.grid2.code: GRID2, tree.micro_grid.code: MICRO}


def collection(tmp_path, boundaries: dict[str, dict], name="b.geojson") -> str:
    """Write `boundaries` (code → geometry) as a GeoJSON FeatureCollection; returns its path."""
    features = [{"type": "Feature", "properties": {"code": c}, "geometry": g} for c, g in boundaries.items()]
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return str(path)


@pytest.fixture
def drawn(tree, tmp_path):
    """The tree with `family`'s boundaries imported."""
    boundaries_import(actor=None, features=read_features(collection(tmp_path, family(tree))))
    return tree.refresh()
