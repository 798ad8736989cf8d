"""GET /api/v1/events/geojson/?bbox=: events as GeoJSON points within a box and the caller's scope."""

from decimal import Decimal

import pytest

from events.api.maps import BEIJING
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
        ({"bbox": BOX, "zoom": "25"}, "zoom"),
        ({"bbox": BOX, "zoom": "12.5"}, "zoom"),
        ({"bbox": BOX, "mode": "dots"}, "mode"),
        ({"bbox": BOX, "reported_from": "2026-13-01"}, "reported_from"),
        ({"bbox": BOX, "scale": "3"}, "scale"),
    ],
)
def test_bad_boxes_are_field_errors(client, scene, query, field):
    client.force_login(scene[1])
    response = client.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_above_the_marker_limit_the_server_sends_cells_not_events(client, scene, monkeypatch):
    _tree, user, _inside, _gcj = scene
    client.force_login(user)
    monkeypatch.setattr("events.api.maps.MAX_FEATURES", 2)
    # without a zoom: the newest two, truncated (the old contract)
    body = client.get(URL, {"bbox": BOX}).json()
    assert len(body["features"]) == 2 and body["truncated"] is True and body["clustered"] is False
    # with a zoom: cells with counts; at zoom 8 a cell is ~0.35°, so the three events share one
    body = client.get(URL, {"bbox": BOX, "zoom": "8"}).json()
    assert body["clustered"] is True
    ((cell,),) = [body["features"]]
    assert cell["properties"] == {"cluster": True, "count": 3, "red": 0, "yellow": 0}
    # zoomed in (cells of ~0.0003°) every event has a cell of its own
    body = client.get(URL, {"bbox": BOX, "zoom": "18"}).json()
    assert sorted(f["properties"]["count"] for f in body["features"]) == [1, 1, 1]


def test_cells_count_deadline_states(client, scene, monkeypatch):
    _tree, user, inside, gcj = scene
    type(inside).objects.filter(pk=inside.pk).update(alert_level="red")
    type(gcj).objects.filter(pk=gcj.pk).update(alert_level="yellow")
    client.force_login(user)
    monkeypatch.setattr("events.api.maps.MAX_FEATURES", 1)
    (cell,) = client.get(URL, {"bbox": BOX, "zoom": "8"}).json()["features"]
    assert (cell["properties"]["red"], cell["properties"]["yellow"]) == (1, 1)
    monkeypatch.setattr("events.api.maps.MAX_FEATURES", 10)
    points = client.get(URL, {"bbox": BOX, "zoom": "8"}).json()["features"]
    assert {f["id"]: f["properties"]["alert"] for f in points}[inside.number] == "red"  # drawn red


def test_heat_mode_always_sends_cells_and_the_period_filters(client, scene):
    _tree, user, inside, _gcj = scene
    client.force_login(user)
    body = client.get(URL, {"bbox": BOX, "zoom": "8", "mode": "heat"}).json()
    assert body["clustered"] is True and sum(f["properties"]["count"] for f in body["features"]) == 3
    day = inside.reported_at.astimezone(BEIJING).date().isoformat()
    body = client.get(URL, {"bbox": BOX, "zoom": "8", "mode": "heat", "reported_from": day, "reported_to": day}).json()
    assert sum(f["properties"]["count"] for f in body["features"]) == 1


def test_a_small_box_finds_exactly_the_events_in_it(client, scene):
    # small enough for PostgreSQL's GiST path (events.api.maps.GIST_MAX_DEG2); SQLite: plain columns
    _tree, user, inside, gcj = scene
    client.force_login(user)
    body = client.get(URL, {"bbox": "121.515,29.845,121.525,29.855", "zoom": "16"}).json()
    assert [f["id"] for f in body["features"]] == [inside.number]
    near_gcj = client.get(URL, {"bbox": "121.575,29.855,121.585,29.865"}).json()  # its WGS 84 place
    assert [f["id"] for f in near_gcj["features"]] == [gcj.number]
