"""GET /api/v1/locate and /api/v1/grids/<code>/geojson/: answers, field errors, scope, simplification."""

import pytest

from grids.services import area_redraw
from tests.factories import UserFactory
from tests.scenario import grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, drawn):
    user = UserFactory(username="grid-worker")
    grant(user, drawn.grid, "view_area")
    client.force_login(user)
    return client


def test_locate_returns_the_chain_down_to_the_micro_grid(staff_client, drawn):
    body = staff_client.get("/api/v1/locate", {"lat": "29.85", "lon": "121.52"}).json()
    assert [a["level"] for a in body["areas"]] == ["city", "county", "township", "village", "grid", "micro_grid"]
    assert (body["grid"], body["micro_grid"]) == (drawn.grid.code, drawn.micro_grid.code)
    assert body["areas"][-1]["name"] == drawn.micro_grid.name


def test_locate_outside_every_boundary_is_an_empty_chain(staff_client):
    body = staff_client.get("/api/v1/locate", {"lat": "31.0", "lon": "118.0"}).json()
    assert (body["areas"], body["grid"], body["micro_grid"]) == ([], None, None)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"lat": "91", "lon": "121.5"}, "lat"),
        ({"lat": "29.8", "lon": "-181"}, "lon"),
        ({"lat": "NaN", "lon": "121.5"}, "lat"),
        ({"lat": "29.8", "lon": "inf"}, "lon"),
        ({"lat": "二十九", "lon": "121.5"}, "lat"),
        ({"lon": "121.5"}, "lat"),
        ({"lat": "29.8", "lon": "121.5", "lng": "121.5"}, "lng"),
    ],
)
def test_locate_refuses_bad_input_with_field_errors(staff_client, query, field):
    response = staff_client.get("/api/v1/locate", query)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_locate_needs_a_login(client, drawn):
    assert client.get("/api/v1/locate", {"lat": "29.85", "lon": "121.52"}).status_code == 401


def test_boundary_geojson_with_children_in_scope(client, drawn):
    user = UserFactory(username="village-officer")
    grant(user, drawn.village, "view_area")
    client.force_login(user)
    body = client.get(f"/api/v1/grids/{drawn.village.code}/geojson/", {"children": "true", "zoom": "16"}).json()
    assert body["type"] == "FeatureCollection"
    assert [f["id"] for f in body["features"]] == [drawn.village.code, drawn.grid.code, drawn.grid2.code]
    assert body["features"][0]["geometry"]["type"] == "Polygon"
    assert client.get(f"/api/v1/grids/{drawn.other_grid.code}/geojson/").status_code == 404


def test_boundary_geojson_is_simplified_for_low_zoom(admin_client, drawn):
    # a wiggly edge of 100 points, 1 m deep: kept at zoom 20, gone at zoom 10
    edge = [[121.50 + i * 0.0005, 29.80 + (0.00001 if i % 2 else 0)] for i in range(101)]
    ring = [*edge, [121.55, 29.90], [121.50, 29.90], [121.50, 29.80]]
    area_redraw(actor=None, area=drawn.grid, boundary={"type": "Polygon", "coordinates": [ring]})
    url = f"/api/v1/grids/{drawn.grid.code}/geojson/"
    fine = admin_client.get(url, {"zoom": "20"}).json()["features"][0]["geometry"]["coordinates"][0]
    coarse = admin_client.get(url, {"zoom": "10"}).json()["features"][0]["geometry"]["coordinates"][0]
    assert len(fine) > 100 and len(coarse) <= 6
    assert admin_client.get(url, {"zoom": "21"}).status_code == 400
