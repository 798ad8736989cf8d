"""Fixtures of the grids tests: a small divisions file and the shared tree."""

import pytest

from tests.factories import make_tree

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
