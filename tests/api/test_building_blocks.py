"""Pagination, filters and concurrency helpers shared by every app's API."""

from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory

from grids.models import Area
from ningbo_grid.concurrency import check_if_match, etag_of
from ningbo_grid.filters import WithinFilter
from tests.factories import make_tree

factory = APIRequestFactory()


def _row(**attrs):
    meta = SimpleNamespace(label_lower="app.row")
    return SimpleNamespace(pk=1, _meta=meta, **attrs)


@api_view(["POST"])
@permission_classes([AllowAny])
def _update(request):
    check_if_match(request, _update.row, required=True)
    return Response({"ok": True}, headers={"ETag": etag_of(_update.row)})


def call(if_match=None):
    headers = {"HTTP_IF_MATCH": if_match} if if_match is not None else {}
    return _update(factory.post("/x", {}, format="json", **headers))


def test_etag_changes_with_version_or_updated_at():
    assert etag_of(_row(version=1)) != etag_of(_row(version=2))
    now = timezone.now()
    assert etag_of(_row(updated_at=now)) != etag_of(_row(updated_at=now + timezone.timedelta(microseconds=1)))
    assert etag_of(_row(version=3)).startswith('"')


@pytest.mark.django_db
def test_if_match_current_passes_stale_is_412_missing_is_428():
    _update.row = _row(version=1)
    current = etag_of(_update.row)
    assert call(current).status_code == 200
    assert call(f'"stale", {current}').status_code == 200
    assert call("*").status_code == 200
    stale = call('"stale"')
    assert stale.status_code == 412
    assert set(stale.data) >= {"detail", "errors", "request_id"}
    assert call().status_code == 428
    assert call(f"W/{current}").status_code == 412  # weak tags never match If-Match


@pytest.mark.django_db
def test_within_filter_keeps_the_subtree():
    tree = make_tree()
    inside = WithinFilter(field_name="").filter(Area.objects.all(), tree.village)
    assert set(inside) == {tree.village, tree.grid, tree.grid2, tree.micro_grid}
