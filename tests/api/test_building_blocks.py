"""Pagination, filters and ETags shared by every app's API."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from grids.models import Area
from ningbo_grid.concurrency import etag_of
from ningbo_grid.filters import WithinFilter
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
