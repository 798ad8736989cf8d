"""The admin shows the tree read-only: search, filters, history inline, no delete."""

import pytest

from grids import services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


def test_area_changelist_searches_by_code_and_filters_by_level(staff_client, tree):
    html = staff_client.get("/admin/grids/area/", {"q": tree.grid.code}).content.decode()
    assert tree.grid.name in html and tree.grid2.name not in html
    html = staff_client.get("/admin/grids/area/", {"level__exact": "micro_grid"}).content.decode()
    assert tree.micro_grid.name in html and tree.county.name not in html


def test_area_page_shows_history_and_offers_no_delete(staff_client, tree):
    services.area_rename(actor=None, area=tree.grid, name="尹江岸社区第1网格")
    response = staff_client.get(f"/admin/grids/area/{tree.grid.pk}/change/")
    assert response.status_code == 200
    assert "尹江岸社区第1网格" in response.content.decode()
    assert staff_client.get(f"/admin/grids/area/{tree.grid.pk}/delete/").status_code == 403
    assert staff_client.get("/admin/grids/areachange/").status_code == 200
    assert staff_client.get("/admin/grids/area/add/").status_code == 403
