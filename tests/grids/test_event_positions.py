"""Every event keeps the position as reported and, beside it, the same place in WGS 84
(issue 16 item 3): computed when the event is written, whatever the datum; filled for
events stored before (`events.positions.backfill`, the migration's); the map reads it.

Reference values: the published points of tests/grids/test_coords.py (wandergis/
coordtransform, hutool): WGS 84 (116.404, 39.915) is GCJ-02 (116.41024449916938,
39.91640428150164); GCJ-02 (116.404, 39.915) is BD-09 (116.41036949371029, 39.92133699351021).
"""

from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from events.models import Event
from events.positions import backfill, canonical_position
from grids.coords import gcj02_to_wgs84, wgs84_to_gcj02
from tests.evaluation.factories import T, event
from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)
from tests.factories import UserFactory
from tests.scenario import grant, make_tree

pytestmark = pytest.mark.django_db

POINT = (116.404, 39.915)
GCJ02_OF_POINT = (116.41024449916938, 39.91640428150164)
BD09_OF_GCJ02_POINT = (116.41036949371029, 39.92133699351021)

# (datum, the reported (lon, lat), the WGS 84 place it must come out at)
CASES = [
    ("wgs84", POINT, POINT),
    ("cgcs2000", POINT, POINT),  # taken as WGS 84 (sub-metre)
    ("gcj02", GCJ02_OF_POINT, POINT),
    ("bd09", BD09_OF_GCJ02_POINT, gcj02_to_wgs84(*POINT)),
]


def reported(lon_lat) -> tuple[Decimal, Decimal]:
    """(lat, lon) as a user types them: 6 decimals."""
    lon, lat = lon_lat
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


@pytest.mark.parametrize(("datum", "given", "wgs84"), CASES)
def test_the_canonical_position_of_each_datum(datum, given, wgs84):
    lat, lon = canonical_position(*reported(given), datum)
    assert (lon, lat) == pytest.approx(wgs84, abs=1e-6)  # the input's 6 decimals: ~0.1 m


def test_no_position_has_no_canonical_position():
    assert canonical_position(None, None, "") == (None, None)


@pytest.mark.parametrize(("datum", "given", "wgs84"), CASES)
def test_a_report_keeps_what_was_entered_and_adds_wgs84(world, datum, given, wgs84):  # noqa: F811
    lat, lon = reported(given)
    ev = world.report(latitude=str(lat), longitude=str(lon), datum=datum)
    ev.refresh_from_db()
    assert (ev.latitude, ev.longitude, ev.datum) == (lat, lon, datum)  # nothing entered is altered
    assert (ev.wgs84_longitude, ev.wgs84_latitude) == pytest.approx(wgs84, abs=1e-6)


def test_a_report_without_position_has_none(world):  # noqa: F811
    ev = world.report()
    ev.refresh_from_db()
    assert ev.wgs84_latitude is None and ev.wgs84_longitude is None and ev.datum == ""


def test_the_api_report_adds_wgs84(world):  # noqa: F811
    lat, lon = reported(GCJ02_OF_POINT)
    client = APIClient()
    client.force_login(world.worker)
    body = {
        "area": world.tree.grid.code,
        "item": world.item.code,
        "title": "积水",
        "description": "路口积水。",
        "discovered_at": "2025-06-09T08:30:00+08:00",
        "latitude": str(lat),
        "longitude": str(lon),
        "datum": "gcj02",
    }
    response = client.post("/api/v1/events/", body, format="json")
    assert response.status_code == 201, response.content[:300]
    ev = Event.objects.get()
    assert (ev.latitude, ev.longitude, ev.datum) == (lat, lon, "gcj02")
    assert (ev.wgs84_longitude, ev.wgs84_latitude) == pytest.approx(POINT, abs=1e-6)


def test_the_backfill_fills_every_datum_as_the_write_path_does():
    tree = make_tree()
    made = {}
    for n, (datum, given, _wgs84) in enumerate(CASES * 3):
        lat, lon = reported(given)
        made[event(tree.grid, discovered=T(5, 1), reported=T(5, 1), latitude=lat, longitude=lon, datum=datum).pk] = n
    nowhere = event(tree.grid, discovered=T(5, 1), reported=T(5, 1))
    written = {e.pk: (e.wgs84_latitude, e.wgs84_longitude) for e in Event.objects.all()}
    Event.objects.update(wgs84_latitude=None, wgs84_longitude=None)  # as before the migration

    assert backfill(connection, batch=2) == len(made)  # several batches per datum

    for ev in Event.objects.exclude(pk=nowhere.pk):
        datum, _given, wgs84 = CASES[made[ev.pk] % len(CASES)]
        assert ev.datum == datum
        assert (ev.wgs84_longitude, ev.wgs84_latitude) == pytest.approx(wgs84, abs=1e-6)
        assert (ev.wgs84_latitude, ev.wgs84_longitude) == pytest.approx(written[ev.pk], abs=1e-9)
    nowhere.refresh_from_db()
    assert nowhere.wgs84_latitude is None


class TestTheMapReadsWgs84:
    URL = "/api/v1/events/geojson/"

    @pytest.fixture
    def scene(self, client):
        tree = make_tree()
        user = UserFactory(username="township-dispatcher")
        grant(user, tree.township, "view_area")
        client.force_login(user)
        return tree

    def test_wgs84_positions_come_back_as_entered(self, client, scene):
        event(scene.grid, discovered=T(5, 1), reported=T(5, 1), datum="wgs84", **at(121.523456, 29.851234))
        body = client.get(self.URL, {"bbox": "121.5,29.8,121.6,29.9"}).json()
        assert [f["geometry"]["coordinates"] for f in body["features"]] == [[121.523456, 29.851234]]

    def test_a_gcj02_event_is_in_the_box_by_its_wgs84_place(self, client, scene):
        # reported on AMap just inside the box's east edge: its GCJ-02 pair lies ~500 m east, outside
        ev = event(scene.grid, discovered=T(5, 1), reported=T(5, 1), datum="gcj02", **gcj(121.599999, 29.85))
        assert float(ev.longitude) > 121.6
        inside, outside = "121.5,29.8,121.6,29.9", "121.5,29.8,121.599998,29.9"
        for mode in ({}, {"mode": "heat", "zoom": 12}):
            assert len(client.get(self.URL, {"bbox": inside, **mode}).json()["features"]) == 1, mode
            assert client.get(self.URL, {"bbox": outside, **mode}).json()["features"] == [], mode

    def test_a_cell_is_drawn_at_the_wgs84_place(self, client, scene):
        event(scene.grid, discovered=T(5, 1), reported=T(5, 1), datum="gcj02", **gcj(121.55, 29.85))
        query = {"bbox": "121.5,29.8,121.6,29.9", "mode": "heat", "zoom": 12}
        (cell,) = client.get(self.URL, query).json()["features"]
        assert cell["geometry"]["coordinates"] == pytest.approx([121.55, 29.85], abs=2e-6)


def at(lon, lat) -> dict:
    return {"longitude": Decimal(f"{lon:.6f}"), "latitude": Decimal(f"{lat:.6f}")}


def gcj(lon, lat) -> dict:
    """The GCJ-02 pair an AMap pin at WGS 84 (lon, lat) gives, to 6 decimals."""
    return at(*wgs84_to_gcj02(lon, lat))
