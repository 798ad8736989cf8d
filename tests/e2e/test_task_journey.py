"""The whole journey of a task sent down (Art. 19, issue #17): the district's supervisor
issues a typhoon check with one result per ledger household to a township; its two grid
workers, each on a phone (390 px), take it from the workbench and record it household by
household from the ledger (each result a ledgers visit); the district sees 100 %."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e

TITLE = "台风“梅花”来临前入户排查"


@pytest.fixture
def township(transactional_db):
    """The world with two households in each of the township's two grids (in the ledgers)."""
    from grids.choices import Level
    from ledgers import places
    from ledgers import services as ledgers
    from ledgers.choices import AddressKind
    from tests.scenario import make_area, make_world

    world = make_world()
    for user, name in ((world.supervisor, "district"), (world.worker, "worker1"), (world.worker2, "worker2")):
        user.username = name
        user.save(update_fields=["username"])
    micro2 = make_area(world.tree.grid2, Level.MICRO_GRID, "尹江岸第二网格1号微网格", suffix=1)
    for micro, worker, road in ((world.tree.micro_grid, world.worker, "中山东路"), (micro2, world.worker2, "药行街")):
        street = places.address_create(actor=worker, area=micro, kind=AddressKind.ROAD, name=road)
        door = places.address_create(actor=worker, parent=street, kind=AddressKind.DOOR, name="12号")
        for room in ("101室", "102室"):
            flat = places.address_create(actor=worker, parent=door, kind=AddressKind.ROOM, name=room)
            ledgers.household_create(actor=worker, address=flat)
    return world


def _tappable(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44, box


def _pick(page, text: str, path: str) -> None:
    """Type `text` into the area picker and tick the row showing `path`."""
    page.fill(".ng-area-search", text)
    exactly = page.locator(".ng-area-path", has_text=re.compile(f"^{re.escape(path)}$"))
    row = page.locator(".ng-area-result", has=exactly)
    _tappable(row)
    row.click()
    expect(page.locator(".ng-area-chip", has_text=re.compile(f"^{re.escape(path)} ×$"))).to_be_visible()


def _issue(page, world) -> None:
    page.goto("/tasks/new/")
    page.fill("#id_title", TITLE)
    page.fill("#id_instructions", "逐户检查门窗、阳台花盆和危旧房屋，登记每户结果。")
    _pick(page, "南门", "南门街道")
    page.select_option("#id_item", value=str(world.item.pk))
    page.fill("#id_working_days", "2")
    page.locator("label[for=id_result_kind_1]", has_text="每户一条结果").click()  # the choice's label, as tapped
    page.click("#task-submit")
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    expect(page.locator("#task-percent")).to_contain_text("0%")
    # Every grid is listed as not acknowledged; each grid's link is thumb-sized.
    links = page.locator(".list-group-item > a")
    assert links.count() > 0
    for link in links.all():
        _tappable(link)


def _complete_on_a_phone(page, username: str, shot) -> None:
    """Sign in, open the task from the workbench, acknowledge, record every household of
    the grid one at a time from the ledger, then complete."""
    login(page, username)
    link = page.locator("#panel-tasks a", has_text=TITLE)
    _tappable(link)
    link.click()
    page.wait_for_url(re.compile(r"/tasks/a/\d+/$"))
    expect(page.locator("#assignment-status")).to_have_text("待签收")
    acknowledge = page.locator("#step-acknowledge button")
    _tappable(acknowledge)
    acknowledge.click()
    expect(page.locator("#assignment-status")).to_have_text("已签收")
    households = page.locator("#id_record-household option:not([value=''])")
    for done in (1, 2):
        assert households.count() == 3 - done  # the households not yet recorded, from the ledger
        page.select_option("#id_record-household", index=1)
        page.locator("#step-record label", has_text="已排查" if done == 1 else "不在家").click()
        record = page.locator("#step-record button")
        _tappable(record)
        record.click()
        expect(page.locator("#assignment-status")).to_have_text("办理中")
        expect(page.locator(".list-group-item a[href*='/ledgers/']")).to_have_count(done)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"{username}-recorded")
    complete = page.locator("#step-complete button")
    _tappable(complete)
    complete.click()
    expect(page.locator("#assignment-status")).to_have_text("已完成")


def test_areas_are_picked_by_typing_on_a_phone(page_at, shot, township):
    """At 390 px the township's dispatcher types part of a name, ticks a village and a grid
    (each shown with its path and level), removes the grid by its chip, and the task goes to
    every grid of the village."""
    from tasks.models import Assignment

    world = township
    world.dispatcher.username = "dispatcher"
    world.dispatcher.save(update_fields=["username"])
    page = page_at("phone")
    login(page, "dispatcher")
    page.goto("/tasks/new/")
    expect(page.locator("#id_areas")).to_be_hidden()
    page.fill("#id_title", "消防安全巡查")
    page.fill("#id_instructions", "逐一检查小场所。")
    _pick(page, "尹江岸", "南门街道 › 尹江岸社区")
    expect(page.locator(".ng-area-result", has_text="尹江岸第一网格").locator(".badge")).to_have_text("网格")
    _pick(page, "第二网格", "南门街道 › 尹江岸社区 › 尹江岸第二网格")
    shot(page, "area-picker")
    chip = page.locator(".ng-area-chip", has_text="尹江岸第二网格")
    _tappable(chip)
    chip.click()
    expect(page.locator(".ng-area-chip")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#id_item", value=str(world.item.pk))
    page.click("#task-submit")
    page.wait_for_url(re.compile(r"/tasks/\d+/$"))
    assert set(Assignment.objects.values_list("area", flat=True)) == {world.tree.grid.pk, world.tree.grid2.pk}


def test_district_issues_a_per_household_task_two_workers_complete_it_on_phones_district_sees_100(
    page_at, shot, township
):
    from ledgers.models import Visit
    from tasks.models import Assignment, HouseholdResult

    world = township
    district = page_at("desktop")
    login(district, "district")
    _issue(district, world)
    progress_url = district.url
    for username in ("worker1", "worker2"):
        _complete_on_a_phone(page_at("phone"), username, shot)
    district.goto(progress_url)
    expect(district.locator("#task-percent")).to_contain_text("100%")
    expect(district.locator("#task-percent")).to_contain_text("2/2")
    shot(district, "district-100")
    assert set(Assignment.objects.values_list("status", flat=True)) == {"done"}
    # Each household result is a visit in the ledgers, made by the grid's own worker.
    results = HouseholdResult.objects.select_related("visit")
    assert results.count() == 4 == Visit.objects.count()
    assert {(r.visit.household_id, r.visit.visitor_id) for r in results} == {
        (r.household_id, (world.worker if r.assignment.area_id == world.tree.grid.pk else world.worker2).pk)
        for r in results
    }
