"""On a phone (390 px): the grid worker finds a household in their grid, sees who lives there
(masked), records a visit and turns what they found into an event, with the report form
prefilled from the visit."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


@pytest.fixture
def ledger(transactional_db):
    from ledgers import services
    from ledgers.models import CareTag
    from tests.ledgers.conftest import register_elder, room_in
    from tests.scenario import make_world

    world = make_world()
    world.worker.username = "gridworker"
    world.worker.save(update_fields=["username"])
    lonely = CareTag.objects.create(code="lonely-elder", name="独居老人", visit_every_days=30)
    room = room_in(world.worker, world.tree.micro_grid)
    household = services.household_create(actor=world.worker, address=room)
    register_elder(world.worker, household, lonely)
    return world


def _tappable(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44, box


def test_a_visit_on_a_phone_becomes_an_event(page_at, shot, ledger):
    page = page_at("phone")
    login(page, "gridworker")
    page.goto("/ledgers/")
    page.fill("input[name=q]", "12号")
    page.locator("form[role=search] button").click()
    household = page.locator("#households a", has_text="中山东路12号301室")
    _tappable(household)
    household.click()
    members = page.locator("#members")
    expect(members).to_contain_text("王阿婆")
    expect(members).to_contain_text("139****5678")
    expect(members).not_to_contain_text("13912345678")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "household")
    _tappable(page.locator("#visit-household"))
    page.click("#visit-household")
    page.fill("#id_findings", "楼道堆放大量纸箱，存在消防隐患")
    shot(page, "visit")
    page.click("#visit-submit")
    page.wait_for_url(re.compile(r"/ledgers/visits/\d+/$"))
    expect(page.locator("#findings")).to_contain_text("楼道堆放大量纸箱")
    visit_url = page.url
    page.click("#to-event")
    expect(page.locator("#id_description")).to_have_value(re.compile("楼道堆放大量纸箱"))
    expect(page.locator("#id_address")).to_have_value("中山东路12号301室")
    with page.expect_response(lambda r: r.request.method == "POST" and "/event/" in r.url):
        page.select_option("#id_item", str(ledger.item.pk))
    expect(page.locator("#report-choice")).to_have_attribute("data-item", str(ledger.item.pk))
    shot(page, "to-event")
    page.click("#report-submit")
    page.wait_for_url(re.compile(r"/events/E\d+/$"))
    expect(page.locator("#event-status")).to_have_text("已上报待受理")
    # the visit now links its event
    page.goto(visit_url)
    expect(page.locator("a", has_text="已转事件")).to_be_visible()


def test_a_worker_adds_an_address_and_a_unit_on_a_phone(page_at, shot, ledger):
    from ledgers.validators import uscc_check_char

    page = page_at("phone")
    login(page, "gridworker")
    page.goto("/ledgers/addresses/new/")
    page.click("label:text-is('街路巷')")
    page.fill("#id_name", "解放南路")
    _tappable(page.locator("#address-form button[type=submit]"))
    page.click("#address-form button[type=submit]")
    expect(page.locator("main")).to_contain_text("已添加 解放南路")
    page.click("label:text-is('门楼牌号')")  # the page now adds below the road
    page.fill("#id_name", "8号")
    page.click("#address-form button[type=submit]")
    expect(page.locator("main")).to_contain_text("解放南路8号")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "address")
    page.click("text=在此登记单位")
    page.fill("#id_name", "阿婆小吃店")
    page.select_option("#id_kind", "shop")
    good = "91330203MA2H12345" + uscc_check_char("91330203MA2H12345")
    page.fill("#id_uscc", good[:-1] + ("1" if good[-1] != "1" else "2"))
    page.click("#unit-form button[type=submit]")
    expect(page.locator("#unit-form")).to_contain_text("校验位不正确")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "unit-error")
    page.fill("#id_uscc", good)
    page.click("#unit-form button[type=submit]")
    page.wait_for_url(re.compile(r"/ledgers/units/$"))
    expect(page.locator("main")).to_contain_text("阿婆小吃店")
