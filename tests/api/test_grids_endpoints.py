"""The generic endpoint checks applied to /api/v1/grids/ (the grids app's read API)."""

from grids.choices import Level
from tests.scenario import make_area

from .mixins import EndpointContract


class TestGridEndpoints(EndpointContract):
    list_url = "/api/v1/grids/"
    id_field = "code"

    def row_key(self, row):
        return row.code

    def list_params(self, scenario):
        return {"level": Level.MICRO_GRID}

    def extra_visible(self, scenario):
        return {scenario.tree.micro_grid.code}  # the tree's own micro-grid, in the district

    def make_rows(self, scenario, n, in_scope):
        parent = scenario.tree.grid2 if in_scope else scenario.tree.other_grid
        parent.refresh_from_db()
        return [make_area(parent, Level.MICRO_GRID) for _ in range(n)]
