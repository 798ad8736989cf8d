"""import_divisions: atomic, idempotent, applies renames, classifies villages."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grids.choices import ChangeKind, VillageKind
from grids.importing import village_kind
from grids.models import Area, AreaChange
from grids.verify import tree_problems
from tests.grids.conftest import SMALL_DIVISIONS, write_csv

pytestmark = pytest.mark.django_db


def run(path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_divisions", path, stdout=out)
    return out.getvalue()


def test_import_creates_the_tree_and_reports_counts_per_level(divisions_csv):
    output = run(divisions_csv)
    assert Area.objects.count() == len(SMALL_DIVISIONS)
    assert "village   created     4" in output
    village = Area.objects.get(code="330203001001")
    assert village.parent.code == "330203001000"
    assert [a.code for a in village.get_ancestors()] == ["330200000000", "330203000000", "330203001000"]
    assert tree_problems()[1] == []


def test_second_import_changes_nothing_and_says_so(divisions_csv):
    run(divisions_csv)
    before = list(Area.objects.order_by("code").values_list("code", "name", "lft", "rght", "updated_at"))
    changes = AreaChange.objects.count()
    output = run(divisions_csv)
    assert "nothing to change" in output
    assert list(Area.objects.order_by("code").values_list("code", "name", "lft", "rght", "updated_at")) == before
    assert AreaChange.objects.count() == changes


def test_renamed_division_is_renamed_with_history(divisions_csv, tmp_path):
    run(divisions_csv)
    rows = [row if row[0] != "330203001002" else (row[0], "澄浪新社区", *row[2:]) for row in SMALL_DIVISIONS]
    output = run(write_csv(tmp_path / "renamed.csv", rows))
    assert "village   created     0  renamed     1" in output
    assert Area.objects.get(code="330203001002").name == "澄浪新社区"
    change = AreaChange.objects.get(area__code="330203001002", kind=ChangeKind.RENAME)
    assert (change.before, change.after) == ({"name": "澄浪社区"}, {"name": "澄浪新社区"})


def test_new_divisions_are_added_to_an_existing_tree(divisions_csv, tmp_path):
    run(divisions_csv)
    rows = [*SMALL_DIVISIONS, ("330203001003", "新街社区", "village", "330203001000")]
    run(write_csv(tmp_path / "more.csv", rows))
    assert Area.objects.get(code="330203001003").parent.code == "330203001000"
    assert tree_problems()[1] == []


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (("33020300100X", "坏编码", "village", "330203001000"), "not 12 digits"),
        (("330203009001", "孤儿社区", "village", "330203009000"), "neither in the file nor imported"),
        (("330203001009", "", "village", "330203001000"), "name is empty"),
        (("330203001009", "某社区", "hamlet", "330203001000"), "level 'hamlet'"),
        (("330203000009", "某社区", "village", "330203000000"), "is a county, not a township"),
        (("330203001001", "重复社区", "village", "330203001000"), "repeats line 5"),
    ],
)
def test_a_bad_row_imports_nothing_and_names_its_line(tmp_path, bad_row, message):
    rows = [*SMALL_DIVISIONS[:4], bad_row, *SMALL_DIVISIONS[4:]]  # the bad row is on line 6
    with pytest.raises(CommandError) as excinfo:
        run(write_csv(tmp_path / "bad.csv", rows))
    assert "line 6" in str(excinfo.value)
    assert message in str(excinfo.value)
    assert Area.objects.count() == 0


def test_malformed_file_on_an_imported_tree_changes_nothing(divisions_csv, tmp_path):
    run(divisions_csv)
    before = list(Area.objects.order_by("code").values_list("code", "name", "lft", "rght"))
    rows = [("330200000000", "宁波市", "city", ""), ("330203000000", "海曙新区", "county", "330200000000"), ("1", "x")]
    path = tmp_path / "short.csv"
    path.write_text("code,name,level,parent_code\n" + "\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 4: expected 4 columns"):
        run(str(path))
    assert list(Area.objects.order_by("code").values_list("code", "name", "lft", "rght")) == before


def test_wrong_header_is_refused(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("编码,名称\n330200000000,宁波市\n", encoding="utf-8")
    with pytest.raises(CommandError, match="line 1: header"):
        run(str(path))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("前王村委会", VillageKind.RURAL),
        ("前王村民委员会", VillageKind.RURAL),
        ("慈江村", VillageKind.RURAL),
        ("尹江岸社区居委会", VillageKind.URBAN),
        ("环河居民委员会", VillageKind.URBAN),
        ("澄浪社区", VillageKind.URBAN),
        ("三溪农场生活区", VillageKind.RURAL),
        ("现代农业园区虚拟生活区", VillageKind.URBAN),
    ],
)
def test_village_kind_follows_the_name(name, kind):
    assert village_kind(name) == kind


def test_the_shipped_ningbo_file_imports_in_bulk():
    """Seconds, not minutes: the 3,215 divisions go in by the batch. Counted in queries,
    which no machine's load changes (a stopwatch fails on a busy CI machine)."""
    with CaptureQueriesContext(connection) as queries:
        call_command("import_divisions", stdout=None)
    counts = dict(Area.objects.order_by().values_list("level").annotate(n=__import__("django").db.models.Count("id")))
    assert counts == {"city": 1, "county": 10, "township": 162, "village": 3042}
    assert len(queries) <= 60, "the import must stay in batches, not one query per division"
    assert tree_problems()[1] == []
