"""Ledger statistics of a village, township and above come from per-grid rollups, refreshed
for the grids whose ledgers changed; a grid and a micro-grid are counted live."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from grids.choices import Level
from grids.models import Area
from ledgers import places, rollups, services, visits
from ledgers.models import Dwelling, LedgerRollup, RollupMark
from ledgers.stats import area_statistics
from ledgers.tasks import rollup_refresh
from tests.scenario import make_area

from .conftest import make_id, room_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(lw):
    """Residents, dwellings, units and visits in two grids of one township and in the other district."""
    w, tree = lw.world, lw.world.tree
    services.person_register(
        actor=w.worker2, name="李小妹", id_number=make_id(2, "20150601"), registration="migrant", residence=lw.room2
    )
    services.person_register(
        actor=w.worker2, name="赵先生", id_number=make_id(3, "19800101"), registration="registered", residence=lw.room2
    )
    services.unit_register(actor=w.worker2, name="小吃店", kind="shop", address=lw.room2, safety_class="key")
    Dwelling.objects.filter(address=lw.room2).update(use="rented")
    visits.visit_record(actor=w.worker, target=lw.household, visited_at=timezone.now(), findings="身体尚好")
    other_micro = make_area(tree.other_grid, Level.MICRO_GRID, "中马第一网格1号微网格", suffix=1)
    other_room = room_in(w.other_worker, other_micro, road="人民路", door="1号", room="101室")
    services.person_register(
        actor=w.other_worker,
        name="钱阿公",
        id_number=make_id(4, "19450101"),
        registration="registered",
        residence=other_room,
    )
    return lw


def _areas(tree) -> list[Area]:
    """The tree's nodes as stored now (the fixture's copies predate their children's nested-set numbers)."""
    nodes = [tree.city, tree.county, tree.county2, tree.township, tree.township2, tree.village, tree.grid, tree.grid2]
    return [Area.objects.get(pk=node.pk) for node in nodes]


def test_rolled_up_figures_equal_counting_live_at_every_level(seeded):
    assert rollup_refresh() == 3  # every grid: never counted
    areas = _areas(seeded.world.tree)
    city, county, county2, township, _township2, village, grid, grid2 = areas
    for area in areas:
        figures = rollups.statistics_for(area)
        assert {k: v for k, v in figures.items() if k != "as_of"} == area_statistics(area), area.name
    figures = rollups.statistics_for(city)
    assert figures["residents_by_registration"] == {"registered": 3, "migrant": 1}
    assert figures["units_by_safety_class"] == {"key": 1} and figures["visits_30_days"] == 1
    assert (
        rollups.statistics_for(county)["residents_by_registration"]
        != rollups.statistics_for(county2)["residents_by_registration"]
    )
    assert rollups.statistics_for(county2)["residents_by_registration"] == {"registered": 1}
    assert rollups.statistics_for(township)["as_of"] is not None and rollups.statistics_for(village)["as_of"]
    assert rollups.statistics_for(grid)["as_of"] is None and rollups.statistics_for(grid2)["as_of"] is None


def test_a_change_marks_its_grid_and_the_next_refresh_recounts_only_that_grid(seeded, clock):
    w, tree = seeded.world, seeded.world.tree
    rollup_refresh()
    city, _county, _county2, township, _township2, _village, _grid, grid2 = _areas(tree)
    assert not RollupMark.objects.exists()
    assert rollup_refresh() == 0  # idempotent: nothing changed, nothing recounted
    first = dict(LedgerRollup.objects.values_list("area_id", "computed_at"))
    clock.shift(datetime.timedelta(minutes=5))
    services.person_register(
        actor=w.worker2, name="孙老伯", id_number=make_id(5, "19380101"), registration="migrant", residence=seeded.room2
    )
    assert set(RollupMark.objects.values_list("area_id", flat=True)) == {seeded.micro2.pk}
    # Until the refresh, the township gives its figures as counted before the change.
    assert rollups.statistics_for(township)["residents_by_registration"] == {"registered": 2, "migrant": 1}
    assert rollups.statistics_for(grid2)["residents_by_registration"] == {"registered": 1, "migrant": 2}  # live
    assert rollup_refresh() == 1  # grid 2 only
    after = dict(LedgerRollup.objects.values_list("area_id", "computed_at"))
    assert after[tree.grid.pk] == first[tree.grid.pk] and after[tree.other_grid.pk] == first[tree.other_grid.pk]
    assert after[tree.grid2.pk] > first[tree.grid2.pk]
    figures = rollups.statistics_for(township)
    assert figures["residents_by_registration"] == {"registered": 2, "migrant": 2}
    assert figures["as_of"] == first[tree.grid.pk]  # the oldest grid count it sums
    assert rollups.statistics_for(city)["residents_by_registration"] == {"registered": 3, "migrant": 2}
    Dwelling.objects.filter(address=seeded.room).update(use="vacant")  # however written, in any ledger
    assert set(RollupMark.objects.values_list("area_id", flat=True)) == {seeded.micro.pk}
    assert rollup_refresh() == 1  # grid 1 only
    assert rollups.statistics_for(township)["dwellings_by_use"].get("vacant") == 1
    assert not RollupMark.objects.exists()


def test_the_first_refresh_of_a_day_recounts_every_grid_for_the_new_date(seeded, clock):
    tree = seeded.world.tree
    rollup_refresh()
    clock.shift(datetime.timedelta(days=40))
    assert rollup_refresh() == 3
    township = _areas(tree)[3]
    figures = rollups.statistics_for(township)
    assert figures["care_targets_overdue"] == 1  # 王阿婆's monthly visit is now overdue
    assert {k: v for k, v in figures.items() if k != "as_of"} == area_statistics(township)


def test_a_grid_adjustment_moving_addresses_marks_both_grids(seeded):
    tree = seeded.world.tree
    rollup_refresh()
    places.addresses_follow_grids([(seeded.micro2, seeded.micro)])  # what a merge's signal does
    assert set(RollupMark.objects.values_list("area_id", flat=True)) >= {seeded.micro.pk, seeded.micro2.pk}
    assert rollup_refresh() == 2
    _city, _county, _county2, township, _township2, village, _grid, _grid2 = _areas(tree)
    for area in (township, village):
        assert rollups.rolled_up(area) is not None
        assert {k: v for k, v in rollups.statistics_for(area).items() if k != "as_of"} == area_statistics(area)
    grid2 = LedgerRollup.objects.get(area=tree.grid2).figures
    assert grid2["residents_by_registration"] == {} and grid2["units_by_kind"] == {}  # all moved to grid 1


def test_a_refresh_stopped_midway_keeps_what_it_did_and_the_rest_marked(seeded, monkeypatch):
    tree = seeded.world.tree
    done = []
    real = rollups._refresh_township

    def stop_after_the_first(township, grid_ids, on):
        if done:
            raise KeyboardInterrupt
        real(township, grid_ids, on)
        done.append(township)

    monkeypatch.setattr(rollups, "_refresh_township", stop_after_the_first)
    with pytest.raises(KeyboardInterrupt):
        rollup_refresh()
    monkeypatch.undo()
    assert LedgerRollup.objects.filter(area=done[0]).exists()
    left = 3 - LedgerRollup.objects.filter(area__level=Level.GRID).count()
    assert left > 0 and rollup_refresh() == left
    call_command("ledger_rollups", "--full")  # every grid again, same figures
    for area in _areas(tree):
        assert {k: v for k, v in rollups.statistics_for(area).items() if k != "as_of"} == area_statistics(area)


def test_the_township_page_and_api_say_when_the_figures_were_counted(seeded, client):
    rollup_refresh()
    w = seeded.world
    client.force_login(w.supervisor)
    page = client.get("/ledgers/stats/", {"area": w.tree.township.code})
    assert page.status_code == 200 and 'id="as-of"' in page.content.decode()
    api = APIClient()
    api.force_authenticate(w.supervisor)
    township = api.get("/api/v1/ledgers/statistics/", {"area": w.tree.township.code}).json()
    assert township["as_of"] is not None and township["care_targets"] == 1
    grid = api.get("/api/v1/ledgers/statistics/", {"area": w.tree.grid.code}).json()
    assert grid["as_of"] is None and grid["care_targets"] == 1
