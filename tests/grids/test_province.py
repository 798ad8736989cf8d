"""A province above its cities: import (accepted, refused), adjustments that stay in their county."""

import pytest
from django.core.management import CommandError, call_command

from grids import services
from grids.choices import ChangeKind, Level, Status
from grids.models import Area, AreaChange
from grids.verify import tree_problems
from tests.grids.conftest import SMALL_DIVISIONS, write_csv

pytestmark = pytest.mark.django_db

PROVINCE = ("330000000000", "浙江省", "province", "")
HANGZHOU = [
    ("330100000000", "杭州市", "city", "330000000000"),
    ("330102000000", "上城区", "county", "330100000000"),
    ("330102001000", "湖滨街道", "township", "330102000000"),
    ("330102001001", "东坡路社区居委会", "village", "330102001000"),
]
NINGBO = [(*SMALL_DIVISIONS[0][:3], "330000000000"), *SMALL_DIVISIONS[1:]]


def run(path) -> None:
    call_command("import_divisions", path, stdout=None)


@pytest.fixture
def province(tmp_path):
    run(write_csv(tmp_path / "zhejiang.csv", [PROVINCE, *HANGZHOU, *NINGBO]))
    return Area.objects.get(code=PROVINCE[0])


def numbers(queryset) -> dict[str, tuple[int, int, int]]:
    return {code: (t, lft, rght) for code, t, lft, rght in queryset.values_list("code", "tree_id", "lft", "rght")}


def test_a_province_file_puts_the_province_above_its_cities(province):
    assert province.parent is None and province.level == Level.PROVINCE
    assert set(province.get_children().values_list("name", flat=True)) == {"杭州市", "宁波市"}
    village = Area.objects.get(code="330203001001")
    assert [a.level for a in village.get_ancestors()] == ["province", "city", "county", "township"]
    assert tree_problems()[1] == []


def test_a_single_city_tree_moves_under_its_province_keeping_codes_and_history(tmp_path):
    run(write_csv(tmp_path / "ningbo.csv", SMALL_DIVISIONS))
    grid = services.area_create(actor=None, parent=Area.objects.get(code="330203001001"), name="第一网格")
    before = dict(Area.objects.values_list("code", "parent__code"))
    history = list(AreaChange.objects.order_by("pk").values_list("pk", "area__code", "kind"))

    run(write_csv(tmp_path / "zhejiang.csv", [PROVINCE, *HANGZHOU, *NINGBO]))

    after = dict(Area.objects.values_list("code", "parent__code"))
    assert {code: after[code] for code in before} == before | {"330200000000": "330000000000"}
    kept = AreaChange.objects.filter(pk__in=[pk for pk, *_ in history]).order_by("pk")
    assert list(kept.values_list("pk", "area__code", "kind")) == history
    placed = AreaChange.objects.get(area__code="330200000000", kind=ChangeKind.IMPORT, after__parent="330000000000")
    assert placed.before == {"parent": None}
    grid.refresh_from_db()
    assert grid.code == "330203001001001" and grid.parent.code == "330203001001"
    assert tree_problems()[1] == []


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (("330000000000", "浙江省", "province", "110000000000"), "a province has no parent_code"),
        (("330300000000", "温州市", "city", ""), "the tree has a province: a city needs it as parent_code"),
        (("330300000000", "温州市", "city", "330102000000"), "is a county, not a province"),
        (("340300000000", "蚌埠市", "city", "330000000000"), "does not start with its parent's first 2 digits"),
        (("330302000000", "鹿城区", "county", "330000000000"), "does not start with its parent's first 4 digits"),
        (("330302000000", "鹿城区", "county", ""), "only the province, or a city without one, has no parent_code"),
    ],
)
def test_a_bad_province_row_imports_nothing_and_names_its_line(tmp_path, bad_row, message):
    good = [row for row in [PROVINCE, *HANGZHOU] if row[0] != bad_row[0]]
    with pytest.raises(CommandError) as excinfo:
        run(write_csv(tmp_path / "bad.csv", [*good, bad_row]))
    assert f"line {len(good) + 2}" in str(excinfo.value)
    assert message in str(excinfo.value)
    assert Area.objects.count() == 0


def test_a_city_file_without_its_province_is_refused_once_the_tree_has_one(province, tmp_path):
    rows = [("330300000000", "温州市", "city", ""), ("330302000000", "鹿城区", "county", "330300000000")]
    with pytest.raises(CommandError, match="line 2: the tree has a province"):
        run(write_csv(tmp_path / "wenzhou.csv", rows))
    assert not Area.objects.filter(code__startswith="3303").exists()


def test_adjustments_at_depth_keep_codes_history_and_leave_other_counties_alone(province):
    village = Area.objects.get(code="330203001001")
    grid = services.area_create(actor=None, parent=village, name="第一网格", households=400)
    micro = [services.area_create(actor=None, parent=grid, name=f"{n}号微网格") for n in (1, 2)]
    other = services.area_create(actor=None, parent=village, name="第二网格", households=300)
    untouched = numbers(Area.objects.exclude(code__startswith="330203001"))  # all but the village's township

    parts = services.area_split(
        actor=None,
        area=grid,
        parts=[{"name": "第一网格东"}, {"name": "第一网格西"}],
        micro_grid_parts={micro[1].code: 1},
    )
    survivor = services.area_merge(actor=None, areas=[parts[1], other], into=parts[1])

    # Every node outside 南门街道 keeps its numbers (the other township, the county, the cities,
    # Hangzhou, the province): the shifts stayed in the township's gap.
    assert numbers(Area.objects.filter(code__in=untouched)) == untouched
    grid.refresh_from_db()
    assert grid.code == "330203001001001" and grid.status == Status.RETIRED and grid.successor == parts[0]
    assert [p.code for p in parts] == ["330203001001003", "330203001001004"]
    assert set(Area.objects.filter(parent=survivor, status=Status.ACTIVE).values_list("name", flat=True)) == {
        "2号微网格"
    }
    assert Area.objects.get(code=micro[1].code).successor.parent == parts[1]
    kinds = set(AreaChange.objects.filter(area__code=grid.code).values_list("kind", flat=True))
    assert kinds == {ChangeKind.CREATE, ChangeKind.SPLIT}
    assert AreaChange.objects.filter(area=other, kind=ChangeKind.MERGE, related=[survivor.code]).exists()
    assert tree_problems()[1] == []
