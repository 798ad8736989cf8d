"""Grid adjustment services: codes, validation, split / merge / retire keep history and references."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grids import services
from grids.choices import ChangeKind, GridType, Level, Status
from grids.models import Area, AreaChange
from grids.verify import tree_problems
from personnel.choices import GridRole
from personnel.models import Assignment, Staff
from tests.factories import UserFactory
from tests.scenario import grant

pytestmark = pytest.mark.django_db
DAY = datetime.date(2026, 3, 1)
SWAPPED = [[29.8, 121.5], [29.9, 121.5], [29.9, 121.6], [29.8, 121.5]]
OPEN_RING = [[121.5, 29.8], [121.6, 29.8], [121.6, 29.9], [121.5, 29.9]]
SQUARE = {"type": "Polygon", "coordinates": [[[121.5, 29.8], [121.6, 29.8], [121.6, 29.9], [121.5, 29.8]]]}


@pytest.fixture
def actor(tree):
    """A user who may adjust the whole city's grids (`adjust_area` on the city)."""
    user = UserFactory(username="adjuster")
    grant(user, tree.city, "adjust_area")
    return user


def test_adjusting_needs_adjust_area_on_the_node(tree, actor):
    stranger = UserFactory(username="stranger")
    grant(stranger, tree.county2, "adjust_area")
    with pytest.raises(PermissionDenied):
        services.area_rename(actor=stranger, area=tree.grid, name="尹江岸社区第1网格")
    with pytest.raises(PermissionDenied):
        services.area_merge(actor=stranger, areas=[tree.other_grid, tree.grid], into=tree.other_grid)
    assert not AreaChange.objects.exists()


def test_new_grid_gets_village_code_plus_next_three_digits(tree, actor):
    grid = services.area_create(actor=actor, parent=tree.village, name="尹江岸社区第3网格", households=420)
    assert grid.code == tree.village.code + "003"  # 001 and 002 exist
    assert (grid.level, grid.grid_type, grid.parent_id) == (Level.GRID, GridType.URBAN, tree.village.pk)
    micro = services.area_create(actor=actor, parent=grid, name="尹江岸社区第3网格1号微网格", households=50)
    assert micro.code == grid.code + "001"
    assert micro.level == Level.MICRO_GRID
    assert tree_problems()[1] == []
    change = AreaChange.objects.get(area=grid)
    assert (change.kind, change.actor, change.after["households"]) == (ChangeKind.CREATE, actor, 420)


def test_codes_are_never_reused_after_retirement(tree, actor):
    first = services.area_create(actor=actor, parent=tree.village2, name="南门社区第1网格")
    services.area_retire(actor=actor, area=first)
    second = services.area_create(actor=actor, parent=tree.village2, name="南门社区第1网格")
    assert first.code.endswith("001") and second.code.endswith("002")
    assert Area.objects.filter(code=first.code).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"households": -1}, "households"),
        ({"grid_type": "forest"}, "grid_type"),
        ({"name": "  "}, "name"),
        ({"name": "尹江岸第一网格"}, "name"),  # an active sibling has this name
        ({"boundary": {"type": "Point", "coordinates": [121.5, 29.8]}}, "boundary"),
        (
            {
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [[[29.8, 121.5], [29.9, 121.5], [29.9, 121.6], [29.8, 121.5]]],
                }
            },
            "boundary",
        ),
        (
            {
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [[[121.5, 29.8], [121.6, 29.8], [121.6, 29.9], [121.5, 29.9]]],
                }
            },
            "boundary",
        ),
        ({"boundary": "{not json"}, "boundary"),
    ],
)
def test_invalid_grid_is_refused_with_a_field_message_and_nothing_created(tree, actor, kwargs, field):
    count = Area.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(actor=actor, parent=tree.village, **({"name": "新网格"} | kwargs))
    assert field in excinfo.value.message_dict
    assert Area.objects.count() == count


def test_grids_are_only_drawn_under_villages_and_grids(tree, actor):
    with pytest.raises(ValidationError) as excinfo:
        services.area_create(actor=actor, parent=tree.township, name="街道网格")
    assert "parent" in excinfo.value.message_dict
    with pytest.raises(ValidationError):
        services.area_create(actor=actor, parent=tree.micro_grid, name="微微网格")


def test_valid_boundary_is_stored(tree, actor):
    grid = services.area_create(actor=actor, parent=tree.village, name="有边界网格", boundary=SQUARE)
    assert grid.boundary == SQUARE


def test_absurdly_nested_boundary_json_is_a_validation_error():
    with pytest.raises(ValidationError):  # was RecursionError: a 500 from the redraw form
        services.validate_boundary("[" * 100_000 + "]" * 100_000)


def test_rename_keeps_the_code_and_records_before_and_after(tree, actor):
    area = services.area_rename(actor=actor, area=tree.grid, name="尹江岸社区第1网格", effective_date=DAY)
    assert (area.code, area.name) == (tree.grid.code, "尹江岸社区第1网格")
    change = area.changes.get(kind=ChangeKind.RENAME)
    assert change.before == {"name": "尹江岸第一网格", "successor": None}
    assert change.after["name"] == "尹江岸社区第1网格"
    assert change.effective_date == DAY


def test_redraw_changes_only_what_is_given(tree, actor):
    area = services.area_redraw(actor=actor, area=tree.grid, households=380, boundary=SQUARE, effective_date=DAY)
    assert (area.households, area.boundary, area.name) == (380, SQUARE, tree.grid.name)
    change = area.changes.get(kind=ChangeKind.REDRAW)
    assert change.before["households"] == 400 and change.after["households"] == 380
    with pytest.raises(ValidationError):
        services.area_redraw(actor=actor, area=area, households=380)


def test_split_retires_the_grid_and_moves_its_micro_grids(tree, actor):
    staff = Staff.objects.create(name="张三", work_id="NB-0001")
    assignment = Assignment.objects.create(staff=staff, area=tree.grid, role=GridRole.GRID_LEADER, start=DAY)
    parts = services.area_split(
        actor=actor,
        area=tree.grid,
        parts=[{"name": "尹江岸第一网格", "households": 200}, {"name": "尹江岸第五网格", "households": 200}],
        effective_date=DAY,
    )
    old = Area.objects.get(pk=tree.grid.pk)
    assert old.status == Status.RETIRED and old.effective_to == DAY
    assert old.successor == parts[0]
    assert [p.code for p in parts] == [tree.village.code + "003", tree.village.code + "004"]
    split = old.changes.get(kind=ChangeKind.SPLIT)
    assert split.related == [p.code for p in parts]
    # The micro-grid is re-created under the first part; the original points at its copy.
    micro = Area.objects.get(pk=tree.micro_grid.pk)
    assert micro.status == Status.RETIRED
    assert micro.successor.parent == parts[0]
    assert micro.successor.code == parts[0].code + "001"
    # What referred to the old grid still loads.
    assignment = Assignment.objects.select_related("area").get(pk=assignment.pk)
    assert assignment.area.code == old.code and assignment.area.successor == parts[0]
    assert tree_problems()[1] == []


def test_merge_into_a_surviving_grid_sums_households_and_retires_the_others(tree, actor):
    survivor = services.area_merge(actor=actor, areas=[tree.grid, tree.grid2], into=tree.grid2, effective_date=DAY)
    assert survivor.pk == tree.grid2.pk
    assert survivor.households == 800
    merged = Area.objects.get(pk=tree.grid.pk)
    assert (merged.status, merged.successor) == (Status.RETIRED, survivor)
    assert merged.changes.get(kind=ChangeKind.MERGE).related == [survivor.code]
    assert survivor.changes.get(kind=ChangeKind.MERGE).related == [tree.grid.code]
    assert Area.objects.get(pk=tree.micro_grid.pk).successor.parent == survivor
    assert tree_problems()[1] == []


def test_merge_into_a_new_grid(tree, actor):
    new = services.area_merge(actor=actor, areas=[tree.grid, tree.grid2], name="尹江岸联合网格", effective_date=DAY)
    assert new.code == tree.village.code + "003"
    assert set(Area.objects.filter(successor=new).values_list("pk", flat=True)) == {tree.grid.pk, tree.grid2.pk}


def test_merge_across_villages_is_refused(tree, actor):
    with pytest.raises(ValidationError) as excinfo:
        services.area_merge(actor=actor, areas=[tree.grid, tree.other_grid], into=tree.grid)
    assert "areas" in excinfo.value.message_dict
    assert Area.objects.get(pk=tree.other_grid.pk).status == Status.ACTIVE


def test_retire_takes_the_micro_grids_along_and_keeps_references(tree, actor):
    staff = Staff.objects.create(name="李四", work_id="NB-0002")
    assignment = Assignment.objects.create(
        staff=staff, area=tree.micro_grid, role=GridRole.MICRO_GRID_LEADER, start=DAY
    )
    services.area_retire(actor=actor, area=tree.grid, successor=tree.grid2, note="旧城改造", effective_date=DAY)
    grid, micro = Area.objects.get(pk=tree.grid.pk), Area.objects.get(pk=tree.micro_grid.pk)
    assert (grid.status, grid.successor_id, grid.effective_to) == (Status.RETIRED, tree.grid2.pk, DAY)
    assert micro.status == Status.RETIRED
    assert grid.changes.get(kind=ChangeKind.RETIRE).note == "旧城改造"
    assert Assignment.objects.get(pk=assignment.pk).area == micro
    with pytest.raises(ValidationError):
        services.area_rename(actor=actor, area=grid, name="复活")
    assert tree_problems()[1] == []


def test_divisions_cannot_be_retired(tree, actor):
    with pytest.raises(ValidationError):
        services.area_retire(actor=actor, area=tree.village)


def test_retire_refuses_its_own_micro_grid_as_successor(tree, actor):
    with pytest.raises(ValidationError) as excinfo:
        services.area_retire(actor=actor, area=tree.grid, successor=tree.micro_grid)
    assert "successor" in excinfo.value.message_dict
