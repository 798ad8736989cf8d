"""A citizen finds their grid card by the phone's position (mocked geolocation) and by
name, at 390 px, in Chinese and English (Issue 16 "done when")."""

import pytest
from playwright.sync_api import expect

from .test_maps import HERE, mapped  # noqa: F401  (the drawn world)

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_citizen_finds_the_grid_card_by_position_and_by_name(page_at, shot, mapped, live_server, language):  # noqa: F811
    page = page_at("phone")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(HERE)
    page.goto("/public/grids/")
    page.click("#find-link")
    page.wait_for_url("**/public/find/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    button = page.locator("#find-by-position").bounding_box()
    assert button["height"] >= 44
    shot(page, f"find-{language}")
    page.click("#find-by-position")
    page.wait_for_url(f"**/public/grids/{mapped.east.code}/")
    expect(page.locator("h1")).to_have_text(mapped.east.name)

    page.goto("/public/find/")
    page.fill("#id_q", "尹江岸")
    page.click("#find-by-name")
    results = page.locator("#find-results a")
    expect(results.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"find-by-name-{language}")
    page.locator(f"#find-results a[data-code='{mapped.tree.village.code}']").click()  # the community …
    page.locator(f"#find-results a[data-code='{mapped.tree.grid.code}']").click()  # … lists its grids
    page.wait_for_url(f"**/public/grids/{mapped.tree.grid.code}/")
    expect(page.locator("h1")).to_have_text(mapped.tree.grid.name)
