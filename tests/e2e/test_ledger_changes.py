"""On a phone (390 px): a grid worker moves a resident to another room of their grid from the
resident's page, then changes her care tags; the page shows the move and the new due date."""

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
    CareTag.objects.create(code="disabled", name="残疾人", visit_every_days=14)
    room = room_in(world.worker, world.tree.micro_grid)
    room_in(world.worker, world.tree.micro_grid, road="解放南路", door="14号", room="502室")
    household = services.household_create(actor=world.worker, address=room)
    return register_elder(world.worker, household, lonely)


def test_a_worker_transfers_a_resident_and_changes_her_tags_on_a_phone(page_at, shot, ledger):
    page = page_at("phone")
    login(page, "gridworker")
    page.goto(f"/ledgers/persons/{ledger.pk}/")
    transfer = page.locator("#person-transfer")
    assert transfer.bounding_box()["height"] >= 44
    transfer.click()
    page.fill("#pick-q", "502")
    page.locator("#pick-residence button").click()
    choice = page.locator("#pick-residence label", has_text="解放南路14号502室")
    assert choice.bounding_box()["height"] >= 44
    choice.click()
    page.fill("#id_reason", "搬至子女家照顾")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "transfer")
    page.click("#transfer-submit")
    page.wait_for_url(re.compile(rf"/ledgers/persons/{ledger.pk}/$"))
    expect(page.locator("#person-moves")).to_contain_text("中山东路12号301室 → 解放南路14号502室 搬至子女家照顾")
    page.click("#person-tags-edit")
    page.click("label:text-is('残疾人')")
    page.click("label:text-is('独居老人')")
    shot(page, "tags")
    page.click("#tags-submit")
    page.wait_for_url(re.compile(rf"/ledgers/persons/{ledger.pk}/$"))
    expect(page.locator("#person-tags")).to_have_text("残疾人")
    expect(page.locator("#next-visit-due")).not_to_have_text("—")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "person")
