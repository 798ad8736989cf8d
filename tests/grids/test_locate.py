"""Position → area: exact point in polygon, the chain from the tree, rebuilt when boundaries change."""

import pytest

from grids import services
from grids.locate import locate

from .conftest import box

pytestmark = pytest.mark.django_db


def codes(chain) -> list[str]:
    return [area.code for area in chain]


def test_a_point_in_a_micro_grid_gives_the_whole_chain(drawn):
    chain = locate(lat=29.85, lon=121.52)
    assert codes(chain) == [
        drawn.city.code,
        drawn.county.code,
        drawn.township.code,
        drawn.village.code,
        drawn.grid.code,
        drawn.micro_grid.code,
    ]
    assert [area.level for area in chain][-2:] == ["grid", "micro_grid"]


def test_a_point_in_a_grid_without_micro_grids_stops_at_the_grid(drawn):
    assert codes(locate(lat=29.85, lon=121.58))[-1] == drawn.grid2.code


def test_a_point_outside_every_boundary_finds_nothing(drawn):
    assert locate(lat=30.5, lon=121.0) == []


def test_a_point_on_a_shared_border_goes_to_the_lower_code(drawn):
    assert codes(locate(lat=29.85, lon=121.55))[-2:] == [drawn.grid.code, drawn.micro_grid.code]


def test_the_answer_follows_a_redraw_at_once(drawn):
    assert codes(locate(lat=29.85, lon=121.595))[-1] == drawn.grid2.code
    services.area_redraw(actor=None, area=drawn.grid2, boundary=box(121.55, 29.80, 121.59, 29.90))
    assert codes(locate(lat=29.85, lon=121.595))[-1] == drawn.village.code


@pytest.mark.parametrize(("lat", "lon"), [(91, 121), (29, 181), (float("nan"), 121), (29, float("inf"))])
def test_impossible_positions_are_refused(drawn, lat, lon):
    with pytest.raises(ValueError, match="range"):
        locate(lat=lat, lon=lon)
