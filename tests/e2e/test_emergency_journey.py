"""On a phone (390 px): a district activates a typhoon response; a grid leader checks in and
reports; the district's roll-call board shows it (Art. 18)."""

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


@pytest.fixture
def emergency(transactional_db):
    from emergency import services
    from tests.scenario import make_world

    world = make_world()
    world.leader.username, world.supervisor.username = "gridleader", "district"
    world.leader.save(update_fields=["username"])
    world.supervisor.save(update_fields=["username"])
    response = services.response_activate(
        actor=world.supervisor,
        area=world.tree.county,
        hazard="typhoon",
        level="II",
        title="台风“梅花”防御",
        instructions="排查危房，转移低洼地带人员。",
    )
    return world, response


def _tappable(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44, box


def test_a_grid_leader_checks_in_on_a_phone_and_the_board_shows_it(page_at, shot, emergency):
    world, response = emergency
    board = page_at("phone")
    login(board, "district")
    board.goto(f"/emergency/{response.pk}/")
    expect(board.locator("#board-totals")).to_contain_text("已签到 0/3")
    # The board opens on the townships; tapping one lists its grids not checked in.
    township = board.locator(f"#board-townships a[data-township='{world.tree.township.code}']")
    _tappable(township)
    township.click()
    grid_row = board.locator(f"#board li[data-area='{world.tree.grid.code}']")
    expect(grid_row).to_contain_text("未签到")
    assert f"township={world.tree.township.pk}" in board.url

    phone = page_at("phone")
    login(phone, "gridleader")
    phone.goto("/emergency/")
    mine = phone.locator("#my-checkins a").first
    _tappable(mine)
    mine.click()
    acknowledge = phone.locator("#step-acknowledge button")
    _tappable(acknowledge)
    acknowledge.click()
    expect(phone.locator("#checkin-status")).to_have_text("已签到")
    phone.fill("#id_report-on_duty", "4")
    phone.fill("#id_report-to_transfer", "12")
    phone.fill("#id_report-hazards", "低洼处积水")
    _tappable(phone.locator("#step-report button"))
    phone.click("#step-report button")
    expect(phone.locator("#checkin-status")).to_have_text("已报告")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "checkin")

    # The board refreshes what is on screen (htmx polling): no reload; the grid leaves the
    # list of those not checked in, and shows under 已签到.
    expect(board.locator("#board-totals")).to_contain_text("已签到 1/3", timeout=25_000)
    expect(grid_row).to_have_count(0)
    checked_in = board.locator("#board-filters a", has_text="已签到")
    _tappable(checked_in)
    checked_in.click()
    expect(grid_row).to_contain_text("已报告")
    expect(grid_row).to_contain_text("需转移 12")
    assert board.evaluate("document.documentElement.scrollWidth") <= 390
    shot(board, "board")
