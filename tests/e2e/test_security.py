"""The Content-Security-Policy in Chromium: the workbench, htmx forms, Leaflet maps, the
ECharts dashboard and the second factor's enrolment (QR code) run with no violation;
a supervisor enrols an authenticator and signs in with its code."""

import pytest
from playwright.sync_api import expect

from .conftest import login
from .test_maps import HERE, mapped  # noqa: F401  (the mapped world fixture)

pytestmark = pytest.mark.e2e

#: Collects every CSP violation the page reports, before any of its own scripts run.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def test_pages_with_htmx_maps_and_charts_run_under_the_policy(page_at, mapped, live_server):  # noqa: F811
    page = page_at("phone")
    page.add_init_script(WATCH)
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation(HERE)
    login(page, "gridworker")
    assert _violations(page) == []
    page.goto(f"/grids/{mapped.tree.grid.code}/")
    expect(page.locator(".leaflet-container path.leaflet-interactive").first).to_be_visible()
    assert _violations(page) == []
    page.goto("/events/report/")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/events/report/")):
        page.click("#use-my-position")  # htmx swaps the item list
    expect(page.locator("#id_area")).to_have_value(str(mapped.east.pk))
    assert _violations(page) == []


def test_a_supervisor_enrols_with_the_qr_code_and_the_dashboard_draws(page_at, mapped):  # noqa: F811
    page = page_at("desktop")
    page.add_init_script(WATCH)
    page.goto("/accounts/login/")
    page.fill("#id_username", mapped.supervisor.username)
    page.fill("#id_password", "pw-for-tests-1")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/security/2fa/enrol/**")
    qr = page.locator("img.ng-qr")
    expect(qr).to_be_visible()
    assert page.evaluate("document.querySelector('img.ng-qr').naturalWidth") > 0
    assert _violations(page) == []
    page.goto("/accounts/login/")  # signed in but not verified: the workbench sends the user back
    login(page, mapped.supervisor.username)  # enrols through the page (tests/e2e/conftest.py)
    page.goto(f"/evaluation/dashboard/{mapped.tree.county.code}/")
    expect(page.locator("#chart-daily canvas").first).to_be_visible()
    assert _violations(page) == []
