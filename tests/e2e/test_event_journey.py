"""The main journey in the browser: the grid worker reports → the dispatcher accepts and
dispatches → the handler signs and submits a result → the worker verifies → closed."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("size", ["phone", "desktop"])]


@pytest.fixture
def world(transactional_db):
    from tests.scenario import make_world

    world = make_world()
    for user, name in [(world.worker, "gridworker"), (world.dispatcher, "dispatcher"), (world.handler, "handler")]:
        user.username = name
        user.save(update_fields=["username"])
    return world


def _take(page, step: str, fill=None):
    """Open the step's panel on the detail page, fill it, submit, and wait for the reload."""
    button = page.locator(f"#step-{step} .accordion-button")
    if "collapsed" in (button.get_attribute("class") or ""):
        button.click()
    if fill:
        fill(page)
    # Wait for the POST's own page load: the previous step's success message is still on
    # the page until then.
    with page.expect_navigation():
        page.locator(f"#step-{step} button[type=submit]").click()
    expect(page.locator(".alert-success")).to_be_visible()


def test_event_goes_round_the_closed_loop(page_at, shot, world, size):
    worker = page_at(size)
    login(worker, "gridworker")
    expect(worker.locator("#panel-event-notifications")).to_be_visible()
    worker.goto("/events/report/")
    # Picking the item refreshes the item block over htmx; wait for that swap (a load
    # state would not: the page reached "networkidle" long before this request).
    with worker.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/events/report/")):
        worker.select_option("#id_item", str(world.item.pk))
    expect(worker.locator("#report-choice")).to_have_attribute("data-item", str(world.item.pk))
    worker.fill("#id_title", "楼道堆放杂物")
    worker.fill("#id_description", "3 号楼楼道堆放大量纸箱，存在消防隐患。")
    worker.fill("#id_address", "尹江路 3 号楼")
    shot(worker, "report")
    worker.click("#report-submit")
    worker.wait_for_url(re.compile(r"/events/E\d+/$"))
    number = worker.url.rstrip("/").rsplit("/", 1)[-1]
    expect(worker.locator("#event-status")).to_have_text("已上报待受理")
    shot(worker, "reported")

    dispatcher = page_at(size)
    login(dispatcher, "dispatcher")
    expect(dispatcher.locator("#panel-event-tasks")).to_contain_text("楼道堆放杂物")
    shot(dispatcher, "workbench")
    dispatcher.goto(f"/events/{number}/")
    _take(dispatcher, "accept")
    expect(dispatcher.locator("#event-status")).to_have_text("已受理待派遣")
    _take(dispatcher, "dispatch", lambda p: p.select_option("#id_dispatch-lead_unit", str(world.unit.pk)))
    expect(dispatcher.locator("#event-status")).to_have_text("已派遣待签收")
    expect(dispatcher.locator("#lead-unit")).to_have_text(world.unit.name)
    shot(dispatcher, "dispatched")

    handler = page_at(size)
    login(handler, "handler")
    handler.goto("/events/tasks/")
    handler.click(f'[data-number="{number}"] a')
    _take(handler, "sign")
    expect(handler.locator("#event-status")).to_have_text("办理中")
    _take(handler, "submit_result", lambda p: p.fill("#id_submit_result-text", "已清理楼道杂物。"))
    expect(handler.locator("#event-status")).to_have_text("已反馈待核查")
    shot(handler, "result")

    worker.goto("/events/tasks/")
    worker.click(f'#verification-tasks [data-number="{number}"] a')
    _take(worker, "verify", lambda p: p.fill("#id_verify-text", "现场已清理干净。"))
    expect(worker.locator("#event-status")).to_have_text("已结案")
    expect(worker.locator("#timeline li")).to_have_count(7)
    shot(worker, "closed")
