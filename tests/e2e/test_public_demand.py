"""The public journey: a visitor opens a grid card, submits a demand and follows it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("size", ["phone", "desktop"])]


@pytest.fixture
def world(transactional_db, monkeypatch):
    from events import public_demand
    from tests.scenario import make_world

    monkeypatch.setattr(public_demand, "MIN_SECONDS", 0)  # no waiting in the test
    return make_world()


def test_visitor_submits_a_demand_and_tracks_it(page_at, shot, world, size):
    page = page_at(size)
    page.goto(f"/public/grids/{world.tree.grid.code}/")
    page.click("#demand-link")
    expect(page.locator("h1")).to_have_text("提交诉求或投诉")
    page.fill("#id_description", "小区路灯不亮已经一周。")
    page.fill("#id_name", "王先生")
    page.fill("#id_phone", "12345")
    page.click("#demand-submit")
    expect(page.locator("#id_phone_error")).to_contain_text("请输入正确的手机号")
    expect(page.locator("#id_description")).to_have_value("小区路灯不亮已经一周。")
    shot(page, "demand-error")
    page.fill("#id_phone", "13912345678")
    page.click("#demand-submit")
    code = page.locator("#tracking-code")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{12}$"))
    tracking = code.inner_text()
    shot(page, "demand-done")

    page.goto("/public/track/")
    page.fill("#id_code", tracking.lower())
    page.click("main form button[type=submit]")
    expect(page.locator("#track-status")).to_have_text("已上报待受理")
    expect(page.locator("#public-timeline li")).to_have_count(1)
    expect(page.locator("main")).not_to_contain_text("13912345678")
    shot(page, "tracking")
