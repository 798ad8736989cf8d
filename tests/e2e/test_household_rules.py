"""The city authority sets a grid household rule on a 390 px phone (Art. 7): no sideways
scroll, thumb-sized controls, the rule and its change shown after saving."""

import pytest
from playwright.sync_api import expect

from grids.models import HouseholdRule
from tests.factories import UserFactory
from tests.scenario import grant, make_tree

from .conftest import login
from .test_staff_office import _fits

pytestmark = [pytest.mark.e2e]


def test_the_city_sets_a_household_rule_on_a_phone(page_at, shot, transactional_db):
    tree = make_tree()
    user = UserFactory(username="city-authority")
    grant(user, tree.city, "supervisor")
    page = page_at("phone")
    login(page, user.username)
    page.goto("/grids/")
    page.click("#household-rules")
    expect(page.locator("#rule-rural-grid h2")).to_have_text("农村网格：不限")
    _fits(page)
    page.fill("#id_rural-grid-min_households", "300")
    page.fill("#id_rural-grid-max_households", "500")
    page.click("#rule-rural-grid button[type=submit]")
    expect(page.locator("#rule-rural-grid h2")).to_have_text("农村网格：300–500 户")
    expect(page.locator("#rule-changes")).to_contain_text("city-authority：农村网格：不限 → 农村网格：300–500 户")
    _fits(page)
    shot(page, "rule-saved")
    assert HouseholdRule.objects.get(city=tree.city, grid_type="rural", level="grid").max_households == 500
