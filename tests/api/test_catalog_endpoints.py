"""The generic endpoint checks applied to /api/v1/catalog/ (items, versions, exits).

The list in force is public (no login), so the items endpoint is checked for that and
for its query count; versions and exits are detail-only and scoped like the admin pages:
a district item's record is seen by the catalogue administrators of its district.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from tests.scenario import make_district_items, make_item_exits, make_world

from .mixins import EndpointContract


class TestVersionEndpoints(EndpointContract):
    list_url = "/api/v1/catalog/versions/"
    viewer = "catalog_admin"
    has_list = False

    def make_rows(self, scenario, n, in_scope):
        return [item.current_version for item in make_district_items(scenario, n, in_scope)]


class TestExitEndpoints(EndpointContract):
    list_url = "/api/v1/catalog/exits/"
    viewer = "catalog_admin"
    has_list = False

    def make_rows(self, scenario, n, in_scope):
        return make_item_exits(scenario, n, in_scope)


@pytest.mark.django_db
def test_the_items_in_force_are_public_and_cost_the_same_queries_however_many():
    world = make_world()
    client = APIClient()
    url = "/api/v1/catalog/items/"
    assert client.get(f"{url}{world.item.code}/").status_code == 200
    client.get(url, {"limit": 100})
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"limit": 100}).status_code == 200
    make_district_items(world, 20, in_scope=True)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"limit": 100})
    assert response.json()["count"] == 21
    assert len(large) == len(small)
