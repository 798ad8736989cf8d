"""The home page counts the active nodes of each level."""

import pytest

from grids import services

pytestmark = pytest.mark.django_db


def test_home_counts_active_nodes_per_level(client, tree):
    services.area_retire(actor=None, area=tree.grid2)
    response = client.get("/")
    counts = {row["level"]: row["count"] for row in response.context["counts"]}
    assert counts == {"city": 1, "county": 2, "township": 3, "village": 4, "grid": 2, "micro_grid": 1}
