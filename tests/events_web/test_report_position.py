"""The report form places the event by its position on the server too (Issue 16 item 2):
no grid chosen → the offered micro-grid holding the position is chosen; a position in
another drawn grid than the chosen one is a form error that files nothing."""

import pytest
from django.urls import reverse

from events.models import Event
from grids.boundaries import boundaries_import, read_features
from grids.coords import wgs84_to_gcj02
from tests.grids.conftest import collection, family

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(world, tmp_path):
    boundaries_import(actor=None, features=read_features(collection(tmp_path, family(world.tree))))
    return world.tree.refresh()


def _fields(world, **changes) -> dict:
    return {
        "item": world.item.pk,
        "grade": "general",
        "title": "井盖缺失",
        "description": "路口井盖缺失，有坠落风险。",
        "discovered_at": "2025-06-09T08:30",
        "datum": "wgs84",
        **changes,
    }


def test_a_position_without_a_grid_files_into_the_micro_grid_holding_it(client, world, drawn):
    client.force_login(world.worker)
    response = client.post(reverse("events:report"), _fields(world, latitude="29.85", longitude="121.52"))
    assert response.status_code == 302
    assert Event.objects.get().area == drawn.micro_grid


def test_a_gcj02_position_is_converted_before_the_look_up(client, world, drawn):
    lon, lat = wgs84_to_gcj02(121.52, 29.85)
    client.force_login(world.worker)
    fields = _fields(world, latitude=f"{lat:.6f}", longitude=f"{lon:.6f}", datum="gcj02")
    assert client.post(reverse("events:report"), fields).status_code == 302
    event = Event.objects.get()
    assert event.area == drawn.micro_grid
    assert (f"{event.latitude}", f"{event.longitude}", event.datum) == (f"{lat:.6f}", f"{lon:.6f}", "gcj02")
    assert (event.wgs84_longitude, event.wgs84_latitude) == pytest.approx((121.52, 29.85), abs=1e-6)


def test_a_position_outside_the_chosen_grid_is_refused(client, world, drawn):
    client.force_login(world.worker)
    fields = _fields(world, area=drawn.micro_grid.pk, latitude="29.85", longitude="121.58")
    response = client.post(reverse("events:report"), fields)
    assert response.status_code == 200
    html = response.content.decode()
    assert "所填位置不在所选网格内" in html and drawn.grid2.code in html
    assert not Event.objects.exists()


def test_the_grid_holding_the_micro_grid_and_undrawn_places_are_accepted(client, world, drawn):
    client.force_login(world.worker)
    inside = _fields(world, area=drawn.grid.pk, latitude="29.85", longitude="121.52")  # the grid of the micro-grid
    assert client.post(reverse("events:report"), inside).status_code == 302
    nowhere = _fields(world, area=drawn.grid.pk, latitude="30.5", longitude="121.0")  # in no drawn grid
    assert client.post(reverse("events:report"), nowhere).status_code == 302
    assert Event.objects.count() == 2
