"""The staff office and 我的 on a 390 px phone (issue #18 items 1, 4): no sideways scroll,
thumb-sized controls; a dispatcher adds a person from the phone."""

import pytest
from playwright.sync_api import expect

from personnel.models import Staff
from tests.personnel.factories import valid_id_number
from tests.scenario import make_world

from .conftest import SIZES, login

pytestmark = [pytest.mark.e2e]


def _fits(page) -> None:
    page.wait_for_load_state("load")  # a click's navigation may still be loading the stylesheet
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
    small = page.evaluate(
        "() => [...document.querySelectorAll('main .ng-staff .btn, main .ng-staff .form-control')]"
        ".filter(e => e.offsetParent && e.getBoundingClientRect().height < 43.5).map(e => e.outerHTML.slice(0, 80))"
    )
    assert small == []


def test_a_dispatcher_adds_a_person_on_a_phone_and_the_worker_sees_me(page_at, transactional_db):
    world = make_world()
    page = page_at("phone")
    login(page, world.dispatcher.username)
    page.goto(f"/staff-office/{world.tree.township.code}/staff/new/")
    _fits(page)
    page.fill("#id_name", "手机添加")
    page.fill("#id_id_number", valid_id_number(11))
    page.fill("#id_mobile", "13955557777")
    page.select_option("#id_area", str(world.tree.grid2.pk))
    page.select_option("#id_role", "parttime_worker")
    page.click("#staff-form button[type=submit]")
    page.wait_for_url(lambda url: "/staff-office/staff/" in url)
    assert "139****7777" in page.content()
    _fits(page)
    assert Staff.objects.filter(name="手机添加").exists()
    page.context.clear_cookies()
    login(page, world.worker.username)
    page.goto("/personnel/me/")
    _fits(page)
    assert "专职网格员" in page.locator("#my-roles").inner_text()


def test_a_dispatcher_sets_the_townships_hotline_on_a_phone_and_the_card_shows_it(page_at, transactional_db):
    world = make_world()
    page = page_at("phone")
    login(page, world.dispatcher.username)
    page.goto(f"/staff-office/{world.tree.township.code}/")
    page.click("#office-hotline")
    _fits(page)
    page.fill("#id_supervision_phone", "0574 8715 0000")
    page.click("#hotline-form button[type=submit]")
    expect(page.locator("#hotline-now")).to_contain_text("0574-87150000")
    _fits(page)
    page.goto(f"/public/grids/{world.tree.grid.code}/")
    expect(page.locator("a.ng-hotline")).to_have_text("0574-87150000")
