"""Journeys a person takes in the browser, at phone and desktop sizes, with screenshots."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("size", ["phone", "desktop"])]


def test_visitor_finds_a_grid_card_and_prints_it(page_at, shot, staffed, size):
    page = page_at(size)
    page.goto("/")
    expect(page.locator("h1")).to_contain_text("宁波市城乡网格化服务管理平台")
    expect(page.locator('[data-level="grid"]')).to_have_text("3")
    shot(page, "landing")

    page.fill("#id_code", "123")
    page.click("form.ng-lookup button[type=submit]")
    expect(page.locator("#id_code_error")).to_contain_text("请输入15位或18位数字的网格编码")
    expect(page.locator("#id_code")).to_have_value("123")
    shot(page, "lookup-error")

    page.fill("#id_code", staffed.grid.code)
    page.click("form.ng-lookup button[type=submit]")
    page.wait_for_url(f"**/public/grids/{staffed.grid.code}/")
    expect(page.locator("h1")).to_have_text("尹江岸第一网格")
    people = page.locator(".ng-card-person")
    expect(people).to_have_count(3)
    expect(people.first).to_contain_text("张网格长")
    expect(people.first).to_contain_text("0574-87001111")
    expect(page.locator("#grid-qr svg")).to_be_visible()
    shot(page, "card")

    page.click("#print-link")
    page.wait_for_url(f"**/public/grids/{staffed.grid.code}/print/")
    expect(page.locator("h1")).to_have_text("尹江岸第一网格")
    expect(page.locator(".qr svg")).to_be_visible()
    shot(page, "print")
    # The notice prints as one A4 sheet.
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1

    response = page.goto("/public/grids/330203001001999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("页面不存在")
    shot(page, "not-found")


def test_worker_signs_in_sees_the_workbench_and_switches_to_english(page_at, shot, staffed, size):
    page = page_at(size)
    page.goto("/accounts/login/")
    page.fill("#id_username", "gridworker")
    page.fill("#id_password", "wrong-password")
    page.click("main form button[type=submit]")
    expect(page.locator(".ng-form-errors")).to_contain_text("请输入一个正确的")
    expect(page.locator("#id_username")).to_have_value("gridworker")
    shot(page, "login-error")

    login(page, "gridworker")
    expect(page.locator("h1")).to_have_text("工作台")
    expect(page.locator("#panel-grids")).to_contain_text("尹江岸第一网格")
    expect(page.locator("#panel-roles")).to_contain_text("专职网格员")
    shot(page, "workbench")

    if size == "phone":  # the menu is collapsed behind the toggler on a phone
        expect(page.locator("#ng-nav")).to_be_hidden()
        page.click(".navbar-toggler")
        expect(page.locator("#ng-nav")).to_have_class(re.compile(r"\bshow\b"))  # opened, not still sliding
        shot(page, "menu-open")
    page.click("button[name=language][value=en]")
    expect(page.locator("h1")).to_have_text("Workbench")
    expect(page.locator("#panel-roles")).to_contain_text("Full-time grid worker")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    shot(page, "workbench-en")

    if size == "phone":  # open the menu again, and wait until it has stopped sliding
        page.click(".navbar-toggler")
        expect(page.locator("#ng-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.click("button:has-text('Sign out')")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text("Sign in")
