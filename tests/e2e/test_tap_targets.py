"""On a 390 px phone every tappable control of the main pages is at least 44 px tall, the
page never scrolls sideways, and the dispatch form's unit picker can be searched."""

import pytest
from playwright.sync_api import expect

from .conftest import SIZES, login

pytestmark = [pytest.mark.e2e]

#: The controls a thumb taps (inline text links inside sentences are exempt, as in WCAG 2.5.8).
TAPPABLE = (
    ".btn, .nav-link, .form-select, .form-control, .navbar-toggler, .page-link, .accordion-button,"
    " .btn-close, .ng-footer-link, .ng-unit-search, a[href^='tel:']"
)
TOO_SMALL = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
    && getComputedStyle(e).visibility !== "hidden" && r.height < 43.5; })
  .map((e) => `${e.tagName.toLowerCase()}.${e.className} ${e.getBoundingClientRect().height.toFixed(1)}px`)"""


@pytest.fixture
def world(transactional_db):
    from events import services
    from personnel.choices import OrgKind
    from personnel.models import Organisation, WorkStation
    from tests.scenario import make_world

    world = make_world()
    world.dispatcher.username = "dispatcher"
    world.dispatcher.save(update_fields=["username"])
    Organisation.objects.create(
        name="宁波市综合行政执法局", kind=OrgKind.DEPARTMENT, department="law_enforcement", area=world.tree.city
    )
    world.event = services.event_accept(actor=world.dispatcher, event=world.report().pk)
    # the grid card's phone links: the township's supervision hotline and the work station's phone
    world.tree.township.supervision_phone = "0574-87360000"
    world.tree.township.save(update_fields=["supervision_phone"])
    WorkStation.objects.create(area=world.tree.grid, name="第1网格工作室", phone="0574-87000000")
    return world


def _check(page, path: str) -> list[str]:
    """Open `path` (and the collapsed menu), return the controls under 44 px; assert no sideways scroll."""
    page.goto(path)
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():
        toggler.click()
        expect(page.locator("#ng-nav")).to_have_class("navbar-collapse collapse show")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES["phone"]["width"], path
    return [f"{path}: {row}" for row in page.evaluate(TOO_SMALL, TAPPABLE)]


def test_main_pages_have_44_px_controls_and_the_unit_picker_searches(page_at, world):
    page = page_at("phone")
    small = []
    for path in ("/", "/public/track/", f"/public/grids/{world.tree.grid.code}/", "/catalog/public/"):
        small += _check(page, path)
    login(page, "dispatcher")
    detail = f"/events/{world.event.number}/"
    for path in ("/", "/events/", detail, "/accounts/logout/"):
        small += _check(page, path)
    assert small == []

    # The dispatch form: the district bureau is preselected; typing narrows the picker.
    page.goto(detail)
    button = page.locator("#step-dispatch .accordion-button")
    if "collapsed" in (button.get_attribute("class") or ""):
        button.click()
    lead = page.locator("#id_dispatch-lead_unit")
    expect(lead).to_have_value(str(world.unit.pk))
    search = page.locator("#step-dispatch .ng-unit-search").first
    expect(search).to_be_visible()
    before = lead.locator("option").count()
    search.fill("南门")
    expect(lead.locator("option:not([value=''])")).to_have_count(2)  # 南门街道办事处 + the chosen bureau
    assert lead.locator("option").count() < before
    expect(lead).to_have_value(str(world.unit.pk))  # the choice survives the filter
    search.fill("")
    expect(lead.locator("option")).to_have_count(before)
    assert page.evaluate(TOO_SMALL, TAPPABLE) == []


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_phone_header_holds_the_name_and_the_menu_button_on_one_line(
    page_at, shot, live_server, transactional_db, language
):
    page = page_at("phone")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto("/public/track/")
    brand = page.locator(".navbar-brand").bounding_box()
    toggler = page.locator(".navbar-toggler").bounding_box()
    assert brand and toggler
    assert toggler["y"] < brand["y"] + brand["height"]  # beside the name, not under it
    assert toggler["x"] + toggler["width"] <= SIZES["phone"]["width"]
    shot(page, f"header-{language}")


def test_the_api_reference_loads_nothing_from_another_site(page_at):
    page = page_at("desktop")
    requested, errors = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/api/v1/redoc/")
    # The sidebar (and its logo) rendered: ReDoc parses the whole schema first (slow on a loaded machine).
    expect(page.locator("text=API docs by Redocly")).to_be_attached(timeout=120_000)
    assert errors == []
    origin = page.evaluate("window.location.origin")
    assert [url for url in requested if not url.startswith((origin, "data:", "blob:"))] == []
