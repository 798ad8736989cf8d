"""Boundaries: import from GeoJSON and Shapefile, checked against parents and siblings, kept in history."""

import pytest
import shapefile
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from grids import services
from grids.boundaries import BoundaryImportError, boundaries_import, read_features
from grids.choices import ChangeKind
from grids.geometry import to_shape
from grids.models import Area, AreaChange, TreeVersion
from tests.factories import UserFactory
from tests.scenario import grant

from .conftest import GRID, GRID2, VILLAGE, box, collection, family

pytestmark = pytest.mark.django_db


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [[[121.5, 29.8], [121.6, 29.9], [121.6, 29.8], [121.5, 29.9], [121.5, 29.8]]],
}


def test_a_consistent_geojson_file_imports_and_history_keeps_the_old_boundary(tree, tmp_path):
    call_command("import_boundaries", collection(tmp_path, family(tree)))
    assert Area.objects.get(pk=tree.grid.pk).boundary == GRID
    moved = box(121.50, 29.80, 121.56, 29.90)
    call_command(
        "import_boundaries",
        collection(
            tmp_path,
            {tree.grid.code: moved, tree.grid2.code: box(121.56, 29.80, 121.60, 29.90), tree.micro_grid.code: moved},
        ),
    )
    change = AreaChange.objects.filter(area=tree.grid, kind=ChangeKind.IMPORT).first()
    assert (change.before, change.after) == ({"boundary": GRID}, {"boundary": moved})


def test_a_bad_file_imports_nothing_and_names_each_offending_area(tree, tmp_path):
    overlapping = box(121.54, 29.80, 121.60, 29.90)  # overlaps GRID by 0.01° × 0.1°
    outside = box(121.50, 29.80, 121.55, 29.95)  # micro-grid sticks out of its grid
    boundaries = family(tree) | {tree.grid2.code: overlapping, tree.micro_grid.code: outside}
    boundaries[tree.other_grid.code] = BOW_TIE
    with pytest.raises(BoundaryImportError) as caught:
        boundaries_import(actor=None, features=read_features(collection(tmp_path, boundaries)))
    kinds = {(p.code, p.kind) for p in caught.value.problems}
    assert (tree.grid.code, "overlap") in kinds or (tree.grid2.code, "overlap") in kinds
    assert (tree.micro_grid.code, "outside_parent") in kinds
    assert (tree.other_grid.code, "invalid") in kinds
    assert not Area.objects.exclude(boundary=None).exists()
    assert not AreaChange.objects.exists()


def test_grids_must_cover_their_village(tree, tmp_path):
    boundaries = family(tree) | {tree.grid2.code: box(121.55, 29.80, 121.58, 29.90)}
    with pytest.raises(BoundaryImportError) as caught:
        boundaries_import(actor=None, features=read_features(collection(tmp_path, boundaries)))
    assert [(p.code, p.kind) for p in caught.value.problems] == [(tree.village.code, "gap")]
    assert "空缺约" in str(caught.value.problems[0])


def test_a_border_within_the_tolerance_is_accepted(tree, tmp_path):
    # 1 m east of the village's edge (0.00001° ≈ 0.97 m at 29.8°N), under the 2 m tolerance
    boundaries = family(tree) | {tree.grid2.code: box(121.55, 29.80, 121.60001, 29.90)}
    assert boundaries_import(actor=None, features=read_features(collection(tmp_path, boundaries)))["changed"] == 4


def test_unknown_codes_and_bad_structure_are_reported(tree, tmp_path):
    path = collection(tmp_path, {"330203001001999": GRID, tree.grid.code: {"type": "Point", "coordinates": [121, 29]}})
    with pytest.raises(CommandError) as caught:
        call_command("import_boundaries", path)
    assert "330203001001999" in str(caught.value) and tree.grid.code in str(caught.value)


def write_shapefile(base, records: dict[str, dict], prj: str | None = None) -> str:
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON, encoding="utf-8") as writer:
        writer.field("CODE", "C", size=18)
        for code, geometry in records.items():
            writer.poly([ring[::-1] for ring in geometry["coordinates"]])  # Shapefile outer rings run clockwise
            writer.record(code)
    if prj is not None:
        base.with_suffix(".prj").write_text(prj)
    return str(base.with_suffix(".shp"))


def test_a_shapefile_imports_like_geojson(tree, tmp_path):
    prj = 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137,298.257223563]]]'
    path = write_shapefile(tmp_path / "grids", family(tree), prj)
    assert call_command("import_boundaries", path, "--code-field", "CODE") is None
    assert to_shape(Area.objects.get(pk=tree.grid2.pk).boundary).equals(to_shape(GRID2))


def test_a_projected_shapefile_is_refused(tree, tmp_path):
    path = write_shapefile(tmp_path / "grids", family(tree), 'PROJCS["CGCS2000_3_Degree_GK_CM_120E"]')
    with pytest.raises(CommandError, match="坐标系"):
        call_command("import_boundaries", path)


def test_redraw_refuses_an_overlap_with_a_sibling_and_keeps_the_old_boundary(drawn):
    actor = UserFactory()
    grant(actor, drawn.grid2, "adjust_area")
    with pytest.raises(ValidationError) as caught:
        services.area_redraw(actor=actor, area=drawn.grid2, boundary=box(121.52, 29.80, 121.60, 29.90))
    assert "重叠" in caught.value.message_dict["boundary"][0]
    narrower = box(121.55, 29.80, 121.59, 29.90)
    services.area_redraw(actor=actor, area=drawn.grid2, boundary=narrower)
    change = AreaChange.objects.get(area=drawn.grid2, kind=ChangeKind.REDRAW)
    assert (change.before["boundary"], change.after["boundary"]) == (GRID2, narrower)


def test_redraw_refuses_a_boundary_that_leaves_its_micro_grids_outside(drawn):
    with pytest.raises(ValidationError) as caught:
        services.area_redraw(actor=None, area=drawn.grid, boundary=box(121.50, 29.80, 121.53, 29.90))
    assert drawn.micro_grid.code in caught.value.message_dict["boundary"][0]


def test_split_parts_must_stay_inside_the_village(drawn):
    parts = [
        {"name": "甲", "boundary": box(121.55, 29.80, 121.57, 29.90)},
        {"name": "乙", "boundary": box(121.57, 29.80, 121.70, 29.90)},
    ]
    with pytest.raises(ValidationError) as caught:
        services.area_split(actor=None, area=drawn.grid2, parts=parts)
    assert "超出上级" in caught.value.message_dict["boundary"][0]


def test_merge_unites_the_boundaries(drawn):
    survivor = services.area_merge(actor=None, areas=[drawn.grid, drawn.grid2], into=drawn.grid2)
    assert to_shape(survivor.boundary).equals(to_shape(VILLAGE))
    assert survivor.changes.get(kind=ChangeKind.MERGE).before["boundary"] == GRID2


def test_every_tree_write_moves_the_version(tree):
    number, stamp = TreeVersion.current()
    services.area_rename(actor=None, area=tree.grid, name="新名")
    assert TreeVersion.current()[0] == number + 1
    assert TreeVersion.current()[1] != stamp
