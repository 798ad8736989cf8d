"""Split and merge write their new nodes as one block (`grids.adjusting`, `AreaManager.append_block`).

On a tree numbered without gaps (django-mptt's own shift) and on a province numbered with a
gap after each township (the township-local shift): the structural verifier passes after
each kind of adjustment, every record is kept (codes, history rows, successors, names),
`TreeVersion` moves once per adjustment, and the statements sent do not grow with the
micro-grids moved.
"""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids import services
from grids.choices import ChangeKind, Status
from grids.models import Area, AreaChange, TreeVersion
from tests.grids.conftest import box
from tests.scenario import make_province, make_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["city", "province"])
def tree(request, db):
    """`make_tree()`'s Ningbo alone (no gaps), or under a province (a gap after each township)."""
    return make_tree() if request.param == "city" else make_province().tree


def verify_tree() -> None:
    out = StringIO()
    call_command("verify_tree", stdout=out)  # raises CommandError naming the broken nodes
    assert "tree ok" in out.getvalue()


def add_micro_grids(grid: Area, count: int, first: int = 2) -> list[Area]:
    return [
        services.area_create(actor=None, parent=grid, name=f"{grid.name}{n}号微网格")
        for n in range(first, first + count)
    ]


def test_a_split_re_creates_the_micro_grids_under_their_parts_and_keeps_every_record(tree):
    micros = [tree.micro_grid, *add_micro_grids(tree.grid, 2)]
    version = TreeVersion.current()[0]

    parts = services.area_split(
        actor=None,
        area=tree.grid,
        parts=[{"name": "尹江岸东网格", "households": 200}, {"name": "尹江岸西网格"}],
        micro_grid_parts={micros[1].code: 1},
    )

    verify_tree()
    assert TreeVersion.current()[0] == version + 1
    old = {m.pk: Area.objects.select_related("successor__parent").get(pk=m.pk) for m in micros}
    copies = [old[m.pk].successor for m in micros]
    assert [c.parent_id for c in copies] == [parts[0].pk, parts[1].pk, parts[0].pk]
    assert [c.code for c in copies] == [parts[0].code + "001", parts[1].code + "001", parts[0].code + "002"]
    assert [c.name for c in copies] == [m.name for m in micros]
    assert all(old[m.pk].status == Status.RETIRED for m in micros)
    assert all(c.status == Status.ACTIVE and c.grid_type == parts[0].grid_type for c in copies)
    for micro, copy in zip(micros, copies, strict=True):
        assert AreaChange.objects.filter(area=copy, kind=ChangeKind.CREATE, related=[micro.code]).exists()
        assert AreaChange.objects.filter(area=micro, kind=ChangeKind.RETIRE, related=[copy.code]).exists()
    split = AreaChange.objects.get(area=tree.grid, kind=ChangeKind.SPLIT)
    assert split.after["successor"] == parts[0].code
    assert split.after["micro_grids"] == [f"{m.code}→{c.code}" for m, c in zip(micros, copies, strict=True)]
    assert AreaChange.objects.get(area=parts[0], kind=ChangeKind.CREATE).after["households"] == 200
    # The parts come after the village's other grids; a later create still lands in order.
    later = services.area_create(actor=None, parent=parts[1], name="尹江岸西网格补充微网格")
    assert later.code == parts[1].code + "002"
    verify_tree()


def test_a_merge_into_a_survivor_moves_the_micro_grids_and_frees_their_names(tree):
    moved = [tree.micro_grid, *add_micro_grids(tree.grid, 1)]
    (kept,) = add_micro_grids(tree.grid2, 1, first=1)
    kept.name = tree.micro_grid.name  # a name the survivor already uses
    kept.save(update_fields=["name"])
    version = TreeVersion.current()[0]

    survivor = services.area_merge(actor=None, areas=[tree.grid, tree.grid2], into=tree.grid2)

    verify_tree()
    assert TreeVersion.current()[0] == version + 1
    active = list(Area.objects.filter(parent=survivor, status=Status.ACTIVE).order_by("code"))
    assert [a.code for a in active] == [survivor.code + n for n in ("001", "002", "003")]
    assert [a.name for a in active] == [kept.name, f"{tree.micro_grid.name}（2）", moved[1].name]
    merged = AreaChange.objects.get(area=tree.grid, kind=ChangeKind.MERGE)
    pairs = f"{moved[0].code}→{active[1].code}，{moved[1].code}→{active[2].code}"
    assert merged.note == f"并入 {survivor.code}；微网格 {pairs}"
    assert Area.objects.get(pk=tree.grid.pk).successor == survivor
    assert (survivor.lft, survivor.rght) == Area.objects.values_list("lft", "rght").get(pk=survivor.pk)


def test_a_merge_into_a_new_grid_leaves_a_sound_tree(tree):
    add_micro_grids(tree.grid2, 2, first=1)
    new = services.area_merge(actor=None, areas=[tree.grid, tree.grid2], name="尹江岸联合网格")
    verify_tree()
    assert Area.objects.filter(parent=new, status=Status.ACTIVE).count() == 3
    assert AreaChange.objects.get(area=new, kind=ChangeKind.CREATE).related == [tree.grid.code, tree.grid2.code]
    assert not Area.objects.filter(parent__in=[tree.grid, tree.grid2], status=Status.ACTIVE).exists()


def test_a_split_refuses_a_part_that_leaves_its_micro_grid_outside_and_changes_nothing(tree):
    grid = tree.grid
    grid.boundary = box(121.50, 29.80, 121.55, 29.90)
    grid.save(update_fields=["boundary"])
    Area.objects.filter(pk=tree.micro_grid.pk).update(boundary=box(121.50, 29.80, 121.52, 29.90))
    numbers = list(Area.objects.order_by("pk").values_list("pk", "lft", "rght", "status"))
    parts = [
        {"name": "东", "boundary": box(121.53, 29.80, 121.55, 29.90)},  # the micro-grid goes here, and lies west of it
        {"name": "西", "boundary": box(121.50, 29.80, 121.53, 29.90)},
    ]
    with pytest.raises(ValidationError) as caught:
        services.area_split(actor=None, area=grid, parts=parts)
    assert "boundary" in caught.value.message_dict
    assert list(Area.objects.order_by("pk").values_list("pk", "lft", "rght", "status")) == numbers
    assert not AreaChange.objects.filter(kind=ChangeKind.SPLIT).exists()


def queries(fn, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn(**kwargs)
    return len(captured.captured_queries)


def test_split_and_merge_send_as_many_statements_for_five_micro_grids_as_for_one(tree):
    add_micro_grids(tree.grid2, 5, first=1)
    parts = [{"name": "甲"}, {"name": "乙"}]
    one = queries(services.area_split, actor=None, area=tree.grid, parts=parts)
    five = queries(services.area_split, actor=None, area=tree.grid2, parts=[{"name": "丙"}, {"name": "丁"}])
    assert one == five
    first, second, third, fourth = Area.objects.filter(parent=tree.village, status=Status.ACTIVE).order_by("code")
    # 甲 holds one micro-grid, 丙 five; each merges into a grid without any.
    one = queries(services.area_merge, actor=None, areas=[first, second], into=second)
    five = queries(services.area_merge, actor=None, areas=[third, fourth], into=fourth)
    assert one == five
    verify_tree()
