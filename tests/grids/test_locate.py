"""Position → area: exact point in polygon, the chain from the tree, rebuilt when boundaries change."""

import numpy as np
import pytest

from grids import services
from grids.locate import LocateIndex, build_arrays, load, locate

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


def test_the_index_is_files_every_process_maps_and_a_write_replaces_them(drawn, settings, tmp_path):
    settings.LOCATE_INDEX_DIR = str(tmp_path / "locate")
    assert codes(locate(lat=29.85, lon=121.52))[-1] == drawn.micro_grid.code
    (root,) = (tmp_path / "locate").iterdir()  # this database's directory
    (first,) = [p for p in root.iterdir() if p.is_dir()]
    mapped = load(first)  # what another worker process does: map the files, no rebuild
    assert isinstance(mapped.a["wkb_blob"], np.memmap) and len(mapped) == 4
    assert codes(mapped.locate(121.52, 29.85))[-1] == drawn.micro_grid.code
    services.area_redraw(actor=None, area=drawn.grid2, boundary=box(121.55, 29.80, 121.59, 29.90))
    assert codes(locate(lat=29.85, lon=121.595))[-1] == drawn.village.code
    (second,) = [p for p in root.iterdir() if p.is_dir()]
    assert second != first  # the old version's files are gone (mapped copies stay readable)
    assert codes(mapped.locate(121.52, 29.85))[-1] == drawn.micro_grid.code


def test_without_a_writable_directory_the_index_is_built_in_memory(drawn, settings, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.LOCATE_INDEX_DIR = str(blocker / "locate")
    services.area_redraw(actor=None, area=drawn.grid2, boundary=box(121.55, 29.80, 121.595, 29.90))
    assert codes(locate(lat=29.85, lon=121.52))[-1] == drawn.micro_grid.code
    assert "building in memory" in caplog.text


def test_build_arrays_orders_each_cell_deepest_first_then_by_code():
    square = '{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}'
    rows = [
        (1, "A", "区", "county", None, square),
        (2, "A2", "网格乙", "grid", 1, square),
        (3, "A1", "网格甲", "grid", 1, square),
        (4, "A1X", "无边界", "micro_grid", 3, None),
    ]
    index = LocateIndex(build_arrays(rows))
    assert [area.code for area in index.locate(0.5, 0.5)] == ["A", "A1"]  # same level: the lower code
    assert index.locate(0.5, 0.5)[-1].name == "网格甲"
    assert index.locate(2, 2) == [] and index.locate(-1, 0.5) == []
    assert LocateIndex(build_arrays([])).locate(0.5, 0.5) == []
