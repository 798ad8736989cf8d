"""The events map of dispatchers and supervisors with no tile server (Issue 16 item 4):
the township's open events drawn as clusters coloured by deadline state; tapping a
cluster zooms in; above the marker limit the server sends cells instead of events;
supervisors switch to a heat map. At 390 px, in Chinese and English."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.evaluation.factories import event

from .conftest import login
from .test_maps import mapped  # noqa: F401  (the drawn world)

pytestmark = pytest.mark.e2e


@pytest.fixture
def crowded(mapped):  # noqa: F811
    """40 open events in the first grid, close together; the first is overdue (red)."""
    now = timezone.now() - datetime.timedelta(hours=2)
    for n in range(40):
        lon, lat = 121.505 + (n % 8) * 0.005, 29.82 + (n // 8) * 0.015
        event(
            mapped.tree.micro_grid if lon < 121.525 else mapped.east,
            discovered=now,
            reported=now,
            number=f"E2025{n + 1:06d}",
            title=f"占道经营 {n + 1}",
            latitude=Decimal(f"{lat:.6f}"),
            longitude=Decimal(f"{lon:.6f}"),
            datum="wgs84",
            alert_level="red" if n == 0 else "none",
        )
    for user, name in ((mapped.dispatcher, "dispatcher"), (mapped.supervisor, "supervisor")):
        user.username = name
        user.save(update_fields=["username"])
    return mapped


def zoom_of(page) -> int:
    return int(page.locator("#event-map").get_attribute("data-zoom"))


#: Records every `data-ready="1"` the map shows while a Leaflet zoom animation runs. A tap
#: then is dropped by Leaflet (a zoom asked during one is ignored): "ready" must mean settled.
WATCH_READY = """document.addEventListener("DOMContentLoaded", () => {
  const el = document.querySelector("#event-map");
  window.readyWhileAnimating = 0;
  if (!el) return;
  new MutationObserver(() => {
    if (el.dataset.ready === "1" && el.querySelector(".leaflet-zoom-anim")) window.readyWhileAnimating++;
  }).observe(el, { attributes: true, attributeFilter: ["data-ready"] });
});"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_dispatcher_sees_the_townships_events_and_a_tap_on_a_cluster_zooms_in(
    page_at, shot, crowded, live_server, language
):
    page = page_at("phone")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    login(page, "dispatcher")
    page.goto("/events/queue/")
    page.context.add_init_script(script=WATCH_READY)
    page.click("#map-view")
    page.wait_for_url("**/events/map/**")
    the_map = page.locator("#event-map")
    expect(the_map).to_have_attribute("data-ready", "1")
    expect(the_map).to_have_attribute("data-clustered", "browser")  # 40 events: sent, clustered in the browser
    expect(the_map).to_have_attribute("data-features", "40")
    expect(page.locator("#event-map .leaflet-tile")).to_have_count(0)  # plain background, boundaries as vectors
    expect(page.locator("#event-map path")).not_to_have_count(0)
    clusters = page.locator("#event-map .ng-cluster")
    expect(clusters.first).to_be_visible()
    expect(page.locator("#event-map .ng-cluster.ng-state-red")).to_have_count(1)  # the overdue one colours its cluster
    # a thumb's target (read in the page: the markers are redrawn when the map settles)
    page.wait_for_function(
        "() => { const c = document.querySelector('#event-map .ng-cluster');"
        " return c && c.offsetWidth >= 44 && c.offsetHeight >= 44; }"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    shot(page, f"event-map-{language}")
    before = zoom_of(page)
    clusters.first.click()
    page.wait_for_function(f"() => Number(document.querySelector('#event-map').dataset.zoom) > {before}")
    expect(the_map).to_have_attribute("data-ready", "1")
    assert page.evaluate("() => window.readyWhileAnimating") == 0


def test_above_the_limit_the_server_clusters_and_a_tap_zooms(page_at, crowded, monkeypatch):
    monkeypatch.setattr("events.api.maps.MAX_FEATURES", 10)
    page = page_at("phone")
    login(page, "dispatcher")
    page.goto("/events/map/")
    the_map = page.locator("#event-map")
    expect(the_map).to_have_attribute("data-clustered", "server")
    cells = page.locator("#event-map .ng-cluster")
    expect(cells.first).to_be_visible()
    total = sum(int(text) for text in cells.all_inner_texts())
    assert total == 40  # every event counted once, none sent
    before = zoom_of(page)
    cells.first.click()
    page.wait_for_function(f"() => Number(document.querySelector('#event-map').dataset.zoom) > {before}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_supervisor_switches_to_the_heat_map(page_at, shot, crowded, live_server, language):
    page = page_at("phone")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    login(page, "supervisor")
    page.goto("/events/overview/")
    page.click("#map-view")
    page.click("#mode-heat")
    the_map = page.locator("#event-map")
    expect(the_map).to_have_attribute("data-mode", "heat")
    expect(the_map).to_have_attribute("data-ready", "1")
    expect(page.locator("#event-map canvas.leaflet-heatmap-layer")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, f"heat-map-{language}")


def test_grid_workers_get_no_heat_map(page_at, crowded):
    page = page_at("phone")
    login(page, "dispatcher")
    page.goto("/events/map/?mode=heat")
    expect(page.locator("#event-map")).to_have_attribute("data-mode", "points")
    expect(page.locator("#mode-heat")).to_have_count(0)
