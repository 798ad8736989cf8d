"""The calendar administrator enters next year's notice on a phone (issue 21, Art. 17)."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from events.choices import CalendarSource
from events.workcalendar import is_workday, year_source
from personnel.choices import PlatformRole
from tests.events.calendar_helpers import NOTICE_2027
from tests.scenario import make_world, member

from .conftest import SIZES, login

pytestmark = [pytest.mark.e2e]
NOVEMBER = datetime.datetime(2026, 11, 2, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def test_the_notice_is_entered_previewed_and_confirmed_from_the_workbench_warning(page_at, transactional_db, shot):
    with time_machine.travel(NOVEMBER, tick=True):
        world = make_world()
        admin = member(world.authority, PlatformRole.CALENDAR_ADMIN)
        page = page_at("phone")
        login(page, admin.username)
        warning = page.locator("#panel-calendar")
        expect(warning).to_contain_text("2027")
        warning.get_by_role("link").click()
        expect(page.locator("#calendar-source")).to_contain_text("尚未确认")
        for i, (kind, name, start, end) in enumerate(NOTICE_2027):
            page.select_option(f"#id_r-{i}-kind", kind)
            page.fill(f"#id_r-{i}-name", name)
            page.fill(f"#id_r-{i}-start", start)
            page.fill(f"#id_r-{i}-end", end)
        page.get_by_role("button", name="预览").click()
        expect(page.locator("#calendar-preview")).to_be_visible()
        expect(page.locator('td[data-day="2027-02-20"]')).to_have_attribute("data-work", "1")
        assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"]
        shot(page, "preview")
        page.get_by_role("button", name="确认并重算时限").click()
        expect(page.locator(".alert-success")).to_contain_text("2027")
        expect(page.locator("#calendar-source")).to_contain_text("确认")
        assert year_source(2027) == CalendarSource.CONFIRMED
        assert is_workday(datetime.date(2027, 2, 20)) and not is_workday(datetime.date(2027, 2, 12))
        page.goto("/")
        expect(page.locator("#panel-calendar")).to_have_count(0)
