"""seed_demo's grids: drawn by the rules, deterministic, safe to run twice."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from grids import demo
from grids.boundaries import load_nodes
from grids.choices import GridType, Level
from grids.geometry import check_nodes, to_shape
from grids.importing import DEFAULT_PATH
from grids.locate import locate
from grids.models import Area
from grids.verify import tree_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def divisions(divisions_csv):
    call_command("import_divisions", divisions_csv, stdout=StringIO())


def grid_rows():
    return list(
        Area.objects.filter(level__in=[Level.GRID, Level.MICRO_GRID])
        .order_by("code")
        .values_list("code", "name", "households", "grid_type", "supervision_phone")
    )


def test_demo_grids_follow_the_drawing_rules(divisions):
    demo.seed(scale="demo", rng=random.Random(7), stdout=StringIO())
    assert tree_problems()[1] == []
    urban = Area.objects.filter(parent__code="330203001001", grid_type=GridType.URBAN)
    assert urban.count() >= 4
    for grid in urban:
        assert 300 <= grid.households <= 500
        assert grid.name.startswith("尹江岸社区第")
        micro = list(grid.get_children())
        assert micro and all(30 <= m.households <= 80 for m in micro)
        assert sum(m.households for m in micro) == grid.households
        assert micro[0].name == f"{grid.name}1号微网格"
    rural = Area.objects.filter(parent__code="330203101201")
    assert rural.exists() and all(g.grid_type == GridType.RURAL and g.name.startswith("前王村") for g in rural)
    township = Area.objects.get(code="330203001000")
    assert township.supervision_phone.startswith("0574-")
    assert set(Area.objects.within(township).filter(level=Level.GRID).values_list("supervision_phone", flat=True)) == {
        township.supervision_phone
    }


def test_same_seed_gives_the_same_grids(divisions):
    demo.seed(scale="demo", rng=random.Random(7), stdout=StringIO())
    first = grid_rows()
    Area.objects.filter(level=Level.MICRO_GRID).delete()
    Area.objects.filter(level=Level.GRID).delete()
    demo.seed(scale="demo", rng=random.Random(7), stdout=StringIO())
    assert grid_rows() == first
    assert tree_problems()[1] == []


def test_second_run_creates_nothing(divisions):
    call_command("seed_demo", "--scale", "demo", stdout=StringIO())
    before = grid_rows()
    out = StringIO()
    call_command("seed_demo", "--scale", "demo", stdout=out)
    assert grid_rows() == before
    assert "+0 grids" in out.getvalue()


def test_seeding_without_divisions_says_to_import_first():
    with pytest.raises(CommandError, match="import_divisions"):
        call_command("seed_demo", "--scale", "demo", stdout=StringIO())


def test_dedicated_grids_exist_in_the_demo_district(tmp_path):
    # The city, 海曙区 and its first five street offices with their communities, from the shipped file.
    lines = DEFAULT_PATH.read_text(encoding="utf-8").splitlines()
    keep = [line for line in lines if line.startswith(("code,", "330200000000", "330203000000", "33020300"))]
    keep += [line for line in lines if line.startswith("330205000000")]  # another county, left without grids
    (tmp_path / "slice.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    call_command("import_divisions", str(tmp_path / "slice.csv"), stdout=StringIO())
    demo.seed(scale="demo", rng=random.Random(20231), stdout=StringIO())
    dedicated = Area.objects.filter(grid_type=GridType.DEDICATED, level=Level.GRID)
    assert dedicated.exists()
    assert all(g.name.endswith("专属网格") and g.scale for g in dedicated)
    assert Area.objects.filter(level=Level.GRID).exclude(code__startswith="330203").count() == 0
    assert Area.objects.filter(level=Level.GRID, grid_type=GridType.URBAN).count() > 100


def test_demo_boundaries_nest_cover_and_locate(divisions):
    demo.seed(scale="demo", rng=random.Random(7), stdout=StringIO())
    drawn = dict(Area.objects.exclude(boundary=None).values_list("code", "boundary"))
    county = Area.objects.get(code="330203000000")
    below = Area.objects.within(county).filter(status="active")
    assert set(below.values_list("code", flat=True)) <= set(drawn)  # every level of the demo district is drawn
    assert county.code in drawn  # its approximate outline from grids/data
    assert check_nodes(load_nodes(drawn), set(drawn)) == []  # inside parents, no overlaps, full cover
    micro = below.filter(level=Level.MICRO_GRID).order_by("code").last()
    point = to_shape(micro.boundary).representative_point()
    assert [a.code for a in locate(lat=point.y, lon=point.x)][-1] == micro.code
    out = StringIO()
    demo.seed(scale="demo", rng=random.Random(7), stdout=out)
    assert "boundaries: 0 drawn" in out.getvalue()
    assert dict(Area.objects.exclude(boundary=None).values_list("code", "boundary")) == drawn
