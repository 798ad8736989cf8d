"""GET /api/v1/events/geojson/?bbox=: events as GeoJSON points within a box and the caller's scope."""

from decimal import Decimal

import pytest

from events.choices import EventStatus
from grids.coords import wgs84_to_gcj02
from tests.evaluation.factories import T, event
from tests.factories import UserFactory
from tests.scenario import grant, make_tree

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/geojson/"
BOX = "121.4,29.7,121.7,29.95"


def at(lon, lat) -> dict:
    return {"longitude": Decimal(f"{lon:.6f}"), "latitude": Decimal(f"{lat:.6f}")}


@pytest.fixture
def scene():
    tree = make_tree()
    inside = event(
        tree.grid, discovered=T(5, 1), reported=T(5, 1), number="E2026900001", datum="wgs84", **at(121.52, 29.85)
    )
    # reported on an AMap map: stored in GCJ-02, drawn at its WGS 84 place
    gcj = event(
        tree.grid2,
        discovered=T(5, 2),
        reported=T(5, 2),
        number="E2026900002",
        datum="gcj02",
        **at(*wgs84_to_gcj02(121.58, 29.86)),
    )
    event(
        tree.grid, discovered=T(5, 3), reported=T(5, 3), number="E2026900003", datum="wgs84", **at(121.90, 29.85)
    )  # outside the box
    event(
        tree.other_grid, discovered=T(5, 4), reported=T(5, 4), number="E2026900004", datum="wgs84", **at(121.53, 29.86)
    )  # out of scope
    event(
        tree.grid,
        discovered=T(5, 5),
        reported=T(5, 5),
        number="E2026900005",
        status=EventStatus.CLOSED,
        datum="wgs84",
        **at(121.51, 29.84),
    )
    user = UserFactory(username="township-dispatcher")
    grant(user, tree.township, "view_area")
    return tree, user, inside, gcj


def test_events_in_the_box_and_in_scope_newest_first(client, scene):
    tree, user, inside, gcj = scene
    client.force_login(user)
    body = client.get(URL, {"bbox": BOX}).json()
    assert body["type"] == "FeatureCollection" and body["truncated"] is False
    assert [f["id"] for f in body["features"]] == ["E2026900005", gcj.number, inside.number]
    lon, lat = body["features"][1]["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((121.58, 29.86), abs=2e-6)  # converted back to WGS 84
    assert body["features"][2]["properties"]["grid"] == tree.grid.code


def test_the_list_filters_apply(client, scene):
    client.force_login(scene[1])
    body = client.get(URL, {"bbox": BOX, "status": EventStatus.CLOSED}).json()
    assert [f["id"] for f in body["features"]] == ["E2026900005"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "bbox"),
        ({"bbox": "121.4,29.7,121.7"}, "bbox"),
        ({"bbox": "121.7,29.7,121.4,29.95"}, "bbox"),
        ({"bbox": "121.4,nan,121.7,29.95"}, "bbox"),
        ({"bbox": BOX, "zoom": "3"}, "zoom"),
    ],
)
def test_bad_boxes_are_field_errors(client, scene, query, field):
    client.force_login(scene[1])
    response = client.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]
