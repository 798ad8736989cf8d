"""Pagination, filters and ETags shared by every app's API."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from grids.models import Area
from ningbo_grid.concurrency import etag_of
from ningbo_grid.filters import WithinFilter
from ningbo_grid.rows import first_instance
from tests.scenario import make_tree


def _row(**attrs):
    meta = SimpleNamespace(label_lower="app.row")
    return SimpleNamespace(pk=1, _meta=meta, **attrs)


def test_etag_changes_with_version_or_updated_at():
    assert etag_of(_row(version=1)) != etag_of(_row(version=2))
    now = timezone.now()
    assert etag_of(_row(updated_at=now)) != etag_of(_row(updated_at=now + timezone.timedelta(microseconds=1)))
    assert etag_of(_row(version=3)).startswith('"')


@pytest.mark.django_db
def test_within_filter_keeps_the_subtree():
    tree = make_tree()
    inside = WithinFilter(field_name="").filter(Area.objects.all(), tree.village)
    assert set(inside) == {tree.village, tree.grid, tree.grid2, tree.micro_grid}


@pytest.mark.django_db
def test_first_instance_reads_the_columns_as_named_whatever_their_order():
    tree = make_tree()
    sql = "SELECT rght, code, 7 AS extra, id, lft FROM grids_area WHERE code = %s"
    node = first_instance(Area, sql, [tree.village.code])
    assert (node.pk, node.code, node.lft, node.rght, node.extra) == (
        tree.village.pk,
        tree.village.code,
        tree.village.lft,
        tree.village.rght,
        7,
    )
    assert node.get_deferred_fields() >= {"name", "level"}
    assert first_instance(Area, sql, ["no such code"]) is None


@pytest.mark.django_db
def test_first_instance_reads_sqlite_cursors_too(monkeypatch):
    """`make run` serves from SQLite, whose cursor describes columns as plain tuples: every
    `within=` filter (and the grid page's map) was a 500 there while CI, on PostgreSQL, passed."""
    from django.db.utils import ConnectionHandler

    from ningbo_grid import rows

    sqlite = ConnectionHandler({"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
    monkeypatch.setattr(rows, "connections", sqlite)
    monkeypatch.setattr(rows.router, "db_for_read", lambda model, **hints: "default")
    try:
        node = first_instance(Area, "SELECT '330' AS code, 7 AS extra, 1 AS id", [])
        assert (node.pk, node.code, node.extra) == (1, "330", 7)
        assert first_instance(Area, "SELECT 1 AS id WHERE 1 = 0", []) is None
    finally:
        sqlite.close_all()
