"""Maps in the browser with no tile server: a grid worker reports from the phone's position
(mocked geolocation) and the event lands in the micro-grid that holds it; the grid's page
draws its outline, micro-grids and open events."""

import re

import pytest
from playwright.sync_api import expect

from events.models import Event
from grids.boundaries import boundaries_import, read_features
from grids.choices import Level
from tests.grids.conftest import GRID2, VILLAGE, box, collection
from tests.scenario import make_area

from .conftest import login

pytestmark = pytest.mark.e2e
HERE = {"latitude": 29.85, "longitude": 121.54}  # in the east micro-grid of the first grid
NEXT_DOOR = {"latitude": 29.85, "longitude": 121.58}  # in the second grid: not the worker's


@pytest.fixture
def mapped(transactional_db, tmp_path):
    from tests.scenario import make_world

    world = make_world()
    tree = world.tree
    world.worker.username = "gridworker"
    world.worker.save(update_fields=["username"])
    east = make_area(tree.grid, Level.MICRO_GRID, "尹江岸第一网格2号微网格", suffix=2)
    boundaries = {
        tree.village.code: VILLAGE,
        tree.grid.code: box(121.50, 29.80, 121.55, 29.90),
        tree.grid2.code: GRID2,
        tree.micro_grid.code: box(121.50, 29.80, 121.525, 29.90),
        east.code: box(121.525, 29.80, 121.55, 29.90),
    }
    boundaries_import(actor=None, features=read_features(collection(tmp_path, boundaries)))
    world.east = east
    world.undrawn = make_area(tree.grid, Level.MICRO_GRID, "尹江岸第一网格3号微网格", suffix=3)
    return world


def test_a_worker_reports_from_the_phone_position_into_the_right_micro_grid(page_at, shot, mapped, live_server):
    from ledgers import places as ledger_places
    from ledgers.choices import AddressKind

    road = ledger_places.address_create(actor=mapped.leader, area=mapped.east, kind=AddressKind.ROAD, name="尹江路")
    door = ledger_places.address_create(  # ~39 m from HERE
        actor=mapped.leader, parent=road, kind=AddressKind.DOOR, name="8号", latitude=29.8503, longitude=121.5402
    )
    page = page_at("phone")
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(NEXT_DOOR)
    login(page, "gridworker")
    page.goto("/events/report/")
    picker = page.locator("[data-ng-picker]")
    # in a grid this worker does not cover: the picker says which one, and chooses nothing
    page.click("#use-my-position")
    expect(picker).to_have_attribute("data-suggested", f"outside:{mapped.tree.grid2.code}")
    expect(page.locator("#position-suggestion")).to_contain_text(
        f"{mapped.tree.grid2.name}（{mapped.tree.grid2.code}）"
    )
    expect(page.locator("#position-suggestion")).to_contain_text("不在您负责的网格内")
    expect(picker).to_have_attribute("data-address", "none")  # no standard address in reach there
    page.context.set_geolocation(HERE)
    # the position selects the micro-grid, and the item list refreshes for it over htmx
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/events/report/")):
        page.click("#use-my-position")
    expect(picker).to_have_attribute("data-suggested", mapped.east.code)
    expect(page.locator("#id_area")).to_have_value(str(mapped.east.pk))
    expect(page.locator("#id_latitude")).to_have_value("29.850000")
    expect(page.locator("#id_longitude")).to_have_value("121.540000")
    # the nearest standard address in reach is suggested and fills the empty address field
    expect(picker).to_have_attribute("data-address", door.code)
    expect(page.locator("#id_address")).to_have_value(door.full_text)
    expect(page.locator("#position-address")).to_contain_text(f"{door.full_text}（约39米）")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/events/report/")):
        page.select_option("#id_item", str(mapped.item.pk))
    expect(page.locator("#report-choice")).to_have_attribute("data-item", str(mapped.item.pk))
    page.fill("#id_title", "路灯不亮")
    page.fill("#id_description", "尹江路东段路灯连续三晚不亮。")
    shot(page, "report-from-position")
    page.click("#report-submit")
    page.wait_for_url(re.compile(r"/events/E\d+/$"))
    event = Event.objects.get(number=page.url.rstrip("/").rsplit("/", 1)[-1])
    assert event.area_id == mapped.east.pk
    assert (float(event.latitude), float(event.longitude), event.datum) == (29.85, 121.54, "wgs84")
    assert event.address == door.full_text

    # the grid's page draws the outline, its two micro-grids and this open event
    page.goto(f"/grids/{mapped.tree.grid.code}/")
    expect(page.locator("#area-map")).to_have_attribute("data-ready", "1")
    expect(page.locator("#area-map")).to_have_attribute("data-events", "1")
    expect(page.locator("#area-map path.leaflet-interactive")).to_have_count(4)  # outline, 2 micro-grids, 1 event
    expect(page.locator("#area-map .leaflet-tile")).to_have_count(0)  # no tile server: plain background
    shot(page, "grid-map")


def test_the_report_picker_starts_on_the_chosen_grid_boundary(page_at, mapped):
    """Before any position, the picker frames the chosen grid (not a blank map of the city)."""
    page = page_at("phone")
    login(page, "gridworker")
    page.goto("/events/report/")
    picker = page.locator("[data-ng-picker]")
    expect(picker).to_have_attribute("data-framed", "1")
    expect(picker.locator("[data-ng-picker-map] path")).to_have_count(1)  # the chosen grid's outline
    box = picker.locator("[data-ng-picker-map] path").bounding_box()
    assert box is not None and max(box["width"], box["height"]) > 100  # framed: the outline fills the small map
    expect(page.locator("#id_latitude")).to_have_value("")  # nothing chosen for the worker

    # a micro-grid with no boundary drawn yet: the grid holding it is shown instead
    with page.expect_response(lambda r: f"/grids/{mapped.tree.grid.code}/geojson/" in r.url):
        page.select_option("#id_area", str(mapped.undrawn.pk))
    expect(picker.locator("[data-ng-picker-map] path")).to_have_count(1)
    expect(picker).to_have_attribute("data-framed", "1")


def test_a_citizen_sends_a_demand_with_the_phone_position_and_a_photo(
    page_at, shot, mapped, live_server, monkeypatch, tmp_path
):
    from PIL import Image

    from events import public_demand

    monkeypatch.setattr(public_demand, "MIN_SECONDS", 0)  # no waiting in the test
    photo = tmp_path / "IMG_0002.jpg"
    Image.new("RGB", (800, 600), "gray").save(photo, "JPEG")
    page = page_at("phone")
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(HERE)
    page.goto(f"/public/grids/{mapped.tree.grid.code}/demand/")
    picker = page.locator("[data-ng-picker]")
    expect(picker).to_have_attribute("data-framed", "1")  # the card's grid, drawn with no tiles
    page.click("#use-my-position")
    expect(page.locator("#id_latitude")).to_have_value("29.850000")
    expect(page.locator("#position-suggestion")).to_contain_text("已选定位置")
    page.fill("#id_description", "路灯不亮已经一周。")
    page.fill("#id_name", "王先生")
    page.fill("#id_phone", "13912345678")
    page.set_input_files("#id_photo", str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "demand-with-pin")
    page.click("#demand-submit")
    expect(page.locator("#tracking-code")).to_be_visible()
    expect(page.locator("#demand-area")).to_contain_text(mapped.east.name)
    event = Event.objects.get()
    assert event.area_id == mapped.east.pk and event.attachments.count() == 1
