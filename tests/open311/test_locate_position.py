"""An Open311 request with `lat`/`long` and no `address_id` lands in the micro-grid holding
the position (Issue 16 item 2); a position in no drawn grid is a 400 that files nothing."""

import pytest

from events.models import Event
from grids.boundaries import boundaries_import, read_features
from tests.grids.conftest import collection, family

from .conftest import BASE, errors


@pytest.fixture
def drawn(world, tmp_path):
    boundaries_import(actor=None, features=read_features(collection(tmp_path, family(world.tree))))
    return world.tree.refresh()


def post(client, key, **position):
    return client.post(
        BASE + "requests.json",
        {"api_key": key, "service_code": "04-001", "description": "路灯不亮", **position},
    )


def test_a_position_alone_is_placed_in_its_micro_grid(client, world, key, drawn):
    response = post(client, key, lat="29.85", long="121.52")
    assert response.status_code == 201
    event = Event.objects.get(number=response.json()[0]["service_request_id"])
    assert event.area.code == drawn.micro_grid.code
    assert (float(event.latitude), float(event.longitude), event.datum) == (29.85, 121.52, "wgs84")
    assert (event.wgs84_latitude, event.wgs84_longitude) == (29.85, 121.52)
    # the neighbouring grid has no micro-grids: the grid itself
    response = post(client, key, lat="29.85", long="121.58")
    assert Event.objects.get(number=response.json()[0]["service_request_id"]).area.code == drawn.grid2.code


def test_a_position_in_no_grid_is_a_clear_400(client, world, key, drawn):
    response = post(client, key, lat="30.5", long="121.0")
    assert response.status_code == 400
    ((_code, message),) = errors(response)
    assert "lat/long" in message and "address_id" in message
    assert post(client, key, lat="95", long="121.52").status_code == 400
    assert not Event.objects.exists()


def test_address_id_wins_over_the_position(client, world, key, drawn):
    response = post(client, key, lat="29.85", long="121.52", address_id=drawn.grid2.code)
    assert Event.objects.get(number=response.json()[0]["service_request_id"]).area.code == drawn.grid2.code
