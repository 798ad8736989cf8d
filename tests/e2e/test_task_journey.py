"""On a phone (390 px): a grid worker finds a task the township sent down in the
workbench, acknowledges it and completes it; the township sees the grid done."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e


@pytest.fixture
def sent(transactional_db):
    from tests.scenario import make_world
    from tests.tasks.conftest import issue

    world = make_world()
    world.worker.username = "gridworker"
    world.worker.save(update_fields=["username"])
    return world, issue(world, title="台风前入户排查")


def _tappable(locator) -> None:
    box = locator.bounding_box()
    assert box is not None and box["height"] >= 44, box


def test_a_grid_worker_acknowledges_and_completes_a_task_on_a_phone(page_at, shot, sent):
    world, task = sent
    page = page_at("phone")
    login(page, "gridworker")
    link = page.locator("#panel-tasks a", has_text="台风前入户排查")
    _tappable(link)
    link.click()
    page.wait_for_url(re.compile(r"/tasks/a/\d+/$"))
    expect(page.locator("#assignment-status")).to_have_text("待签收")
    acknowledge = page.locator("#step-acknowledge button")
    _tappable(acknowledge)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "received")
    acknowledge.click()
    expect(page.locator("#assignment-status")).to_have_text("已签收")
    page.fill("#id_complete-result", "已逐户排查，3户窗户已加固。")
    complete = page.locator("#step-complete button")
    _tappable(complete)
    complete.click()
    expect(page.locator("#assignment-status")).to_have_text("已完成")
    expect(page.locator("body")).to_contain_text("已逐户排查")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "done")
    from tasks.models import Assignment

    assert Assignment.objects.get(task=task, area=world.tree.grid).status == "done"
