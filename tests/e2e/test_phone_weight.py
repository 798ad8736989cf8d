"""How heavy the report page is on the phone (issue #19 item 4): its transferred bytes on
a first visit (empty caches) and a repeat visit (the service worker's copies), at 390 px
on Chromium's "Fast 3G" emulation. Budgets: first visit ≤ 300 KB as deployed (static
files gzipped by WhiteNoise), repeat visit ≤ 30 KB. The figures are printed (`-s`)."""

import gzip
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from .conftest import login

pytestmark = pytest.mark.e2e

#: DevTools' "Fast 3G": 562.5 ms latency, 1.6 Mbit/s down, 750 kbit/s up.
FAST_3G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 1.6e6 / 8 * 0.9,
    "uploadThroughput": 750e3 / 8 * 0.9,
}

#: Whether every static file the page loaded is in the service worker's cache.
ALL_KEPT = """async () => {
  const urls = performance.getEntriesByType("resource").map((e) => e.name).filter((u) => u.includes("/static/"));
  for (const url of urls) if (!(await caches.match(url))) return false;
  return true;
}"""


@pytest.fixture
def world(transactional_db):
    from tests.scenario import make_world

    world = make_world()
    world.worker.username = "gridworker"
    world.worker.save(update_fields=["username"])
    return world


def _static_file(url: str) -> bytes | None:
    """The bytes of the static file `url` names, or None when it names none."""
    from urllib.parse import urlsplit

    from django.contrib.staticfiles import finders

    path = urlsplit(url).path
    if not path.startswith("/static/"):
        return None
    found = finders.find(path.removeprefix("/static/"))
    return Path(found).read_bytes() if found else None


def _visit(page, url: str) -> dict:
    """Load `url` and wait for the service worker; the bytes that came over the network
    (responses served by the service worker's cache count nothing), raw and gzipped for
    static files as WhiteNoise serves them, and the load time in ms."""
    seen = []

    def finished(request):
        seen.append(request)

    page.context.on("requestfinished", finished)
    page.goto(url, wait_until="load")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(ALL_KEPT)
    page.context.remove_listener("requestfinished", finished)
    raw = deployed = 0
    for request in seen:
        response = request.response()
        if response is None or response.from_service_worker:
            continue
        sizes = request.sizes()
        headers = sizes["responseHeadersSize"] + sizes["requestHeadersSize"]
        try:
            body = response.body() if response.status == 200 else b""
        except PlaywrightError:  # a service worker's own fetch whose body the browser let go:
            body = _static_file(request.url)  # the same bytes, read from the project's static files
            if body is None:
                raise

        raw += headers + len(body)
        static = "/static/" in request.url
        deployed += headers + (len(gzip.compress(body, 9)) if static else len(body))
    load = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    return {"requests": len(seen), "raw": raw, "deployed": deployed, "load_ms": round(load)}


def test_report_page_first_and_repeat_visit_fit_the_budget(page_at, live_server, world):
    page = page_at("phone")
    page.context.clock.install(time=timezone.now())
    login(page, "gridworker")
    state = page.context.storage_state()  # the session only: caches stay empty
    fresh = page.context.browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, storage_state=state, is_mobile=True
    )
    phone = fresh.new_page()
    fresh.new_cdp_session(phone).send("Network.emulateNetworkConditions", FAST_3G)
    first = _visit(phone, "/events/report/")
    repeat = _visit(phone, "/events/report/")
    print(f"\nreport page, Fast 3G: first visit {first}, repeat visit {repeat}")
    fresh.close()
    assert first["deployed"] <= 300_000
    assert repeat["raw"] <= 30_000
