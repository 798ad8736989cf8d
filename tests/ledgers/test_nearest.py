"""The standard address nearest a position (the report form's suggestion): within reach only,
within 150 m, active only; and its API: `GET /api/v1/ledgers/addresses/nearest/`."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from ledgers import places, selectors
from ledgers.choices import AddressKind

from .conftest import lw, world  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

HERE = (29.85, 121.54)  # the position asked: lat, lon (WGS 84)


def door(actor, area, name: str, lat: float, lon: float, road: str = "尹江路"):
    """A door number on `road` in micro-grid `area`, positioned at (lat, lon)."""
    road_ = places.address_create(actor=actor, area=area, kind=AddressKind.ROAD, name=road)
    return places.address_create(
        actor=actor,
        parent=road_,
        kind=AddressKind.DOOR,
        name=name,
        latitude=Decimal(f"{lat:.6f}"),
        longitude=Decimal(f"{lon:.6f}"),
    )


def metres_north(m: float) -> float:
    """Degrees of latitude for `m` metres."""
    return m / 111_195


@pytest.fixture
def doors(lw):  # noqa: F811
    """In the worker's micro-grid: 8号 60 m north of HERE, 10号 120 m north; in the sibling
    grid (worker2's, out of the worker's reach): 3号 20 m north, the closest."""
    w = lw.world
    lat, lon = HERE
    near = door(w.leader, lw.micro, "8号", lat + metres_north(60), lon)
    far = door(w.leader, lw.micro, "10号", lat + metres_north(120), lon, road="尹江路东段")
    other = door(w.worker2, lw.micro2, "3号", lat + metres_north(20), lon, road="解放南路")
    return near, far, other


def test_the_nearest_address_in_reach_is_suggested_never_one_out_of_reach(lw, doors):  # noqa: F811
    near, _, other = doors
    found = selectors.nearest_address(lw.world.worker, *HERE)
    assert found is not None and found.address == near and found.distance_m == 60
    # the sibling grid's worker gets their own (closer) address; the district supervisor too
    assert selectors.nearest_address(lw.world.worker2, *HERE).address == other
    assert selectors.nearest_address(lw.world.supervisor, *HERE).address == other


def test_nothing_is_suggested_beyond_150_m_or_for_a_retired_address(lw, doors):  # noqa: F811
    near, far, _ = doors
    lat, lon = HERE
    assert selectors.nearest_address(lw.world.worker, lat - metres_north(200), lon) is None
    near.is_active = False
    near.save(update_fields=["is_active"])
    assert selectors.nearest_address(lw.world.worker, *HERE).address == far
    # addresses without a position are never suggested (the fixture's rooms have none)
    assert selectors.nearest_address(lw.world.worker, 29.80, 121.50) is None


def test_the_api_answers_the_nearest_address_in_reach(lw, doors):  # noqa: F811
    near, _, _ = doors
    api = APIClient()
    api.force_authenticate(lw.world.worker)
    body = api.get("/api/v1/ledgers/addresses/nearest/", {"lat": HERE[0], "lon": HERE[1]}).json()
    assert body["address"]["code"] == near.code and body["address"]["full_text"] == near.full_text
    assert body["distance_m"] == 60
    far_away = api.get("/api/v1/ledgers/addresses/nearest/", {"lat": 30.5, "lon": 121.0}).json()
    assert far_away == {"address": None, "distance_m": None}


def test_the_api_refuses_bad_positions_with_field_errors(lw):  # noqa: F811
    api = APIClient()
    api.force_authenticate(lw.world.worker)
    for query, field in (
        ({"lat": "abc", "lon": 121.5}, "lat"),
        ({"lat": 29.8}, "lon"),
        ({"lat": 95, "lon": 121.5}, "lat"),
    ):
        response = api.get("/api/v1/ledgers/addresses/nearest/", query)
        assert response.status_code == 400 and field in str(response.json()), query
    unknown = api.get("/api/v1/ledgers/addresses/nearest/", {"lat": 29.8, "lon": 121.5, "radius": 900})
    assert unknown.status_code == 400 and "radius" in str(unknown.json())
    assert APIClient().get("/api/v1/ledgers/addresses/nearest/", {"lat": 29.8, "lon": 121.5}).status_code in (401, 403)
