"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

Fixtures: `browser` (one Chromium per session), `page_at(size)` (a fresh context at
"phone" 390×844 or "desktop" 1366×900), `login(page, username)` (through the login
form) and `shot(page, step)` (a screenshot in test-artifacts/e2e/, kept by CI).
Without Chromium the tests skip, unless REQUIRE_E2E=1 (tests/conftest.py).
`E2E_CPU_SLOWDOWN=4` slows the browser's CPU fourfold (Chromium's throttling), as on a
busy CI machine: races between the test and the page show up reliably.
"""

import os
import re
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import expect
from pytest_django.live_server_helper import LiveServer

from tests.conftest import CHROMIUM

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# inside one unless told that this is fine (the loop is idle while the test runs).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Generous waits: CI machines run the browser beside the whole suite.
expect.set_options(timeout=15_000)

SLOW_CPU = float(os.environ.get("E2E_CPU_SLOWDOWN") or 0)
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, built with HTTPS redirects off (it speaks plain HTTP).

    SecurityMiddleware reads SECURE_SSL_REDIRECT and the HSTS settings when the server's
    handler is built, so they are overridden while it starts, not per test.
    """
    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    with override_settings(SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0):
        server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _e2e_settings(settings):
    """The live server speaks plain HTTP, so session and CSRF cookies may not be Secure;
    a fast password hasher keeps sign-ins from dominating the journeys' run time."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, for `page_at` to see a failure."""
    outcome = yield
    setattr(item, f"rep_{call.when}", outcome.get_result())


@pytest.fixture
def page_at(request, browser, live_server, settings):
    """page_at("phone" | "desktop") -> a Page on its own context, with base URL the live server.

    When the test fails, every page it opened is saved as
    test-artifacts/e2e/FAILED-<test>-<n>.png (with its URL in the log) before closing."""
    settings.SITE_URL = live_server.url
    contexts = []

    def make(size: str):
        context = browser.new_context(
            viewport=SIZES[size], base_url=live_server.url, locale="zh-CN", is_mobile=size == "phone"
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        if SLOW_CPU:  # E2E_CPU_SLOWDOWN=4: Chromium as on a loaded CI machine (finds races)
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": SLOW_CPU})
        page.size_name = size
        return page

    yield make
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for n, page in enumerate(p for context in contexts for p in context.pages):
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            print(f"failed page {n}: {page.url}")
            page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}-{n}.png"), full_page=True)
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """shot(page, step): save test-artifacts/e2e/<test>-<size>-<step>.png (full page)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = re.sub(r"\[.*\]$", "", request.node.name)

    def save(page, step: str) -> Path:
        path = ARTIFACTS / f"{test}-{page.size_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


#: The workbench's address exactly (the login page's own address also ends in "/").
HOME_URL = re.compile(r"^https?://[^/]+/$")


#: The second factor's pages (security.urls), where a sign-in may stop before the workbench.
SECOND_FACTOR_URL = re.compile(r"/security/2fa/(enrol|verify)/")


def login(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the workbench to load (a `goto` right
    after an unfinished sign-in would abort it and leave the browser signed out).

    A user who needs a second factor (security.twofactor) goes through it as a person
    would: on first sign-in the enrolment page, whose key the "phone" (django-otp's TOTP,
    on the suite's clock) turns into a code, then the recovery codes; later the code."""
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: bool(HOME_URL.match(url) or SECOND_FACTOR_URL.search(url)))
    if SECOND_FACTOR_URL.search(page.url):
        _second_factor(page, username)
    page.wait_for_url(HOME_URL)


def _second_factor(page, username: str) -> None:
    """Type the code of the user's authenticator (enrolling it first if the page asks)."""
    from base64 import b32decode

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrolling = "/enrol/" in page.url
    if enrolling:
        secret = page.locator("#totp-secret").get_attribute("data-totp-secret")
        key = b32decode(secret + "=" * (-len(secret) % 8))
    else:
        key = TOTPDevice.objects.get(user__username=username, confirmed=True).bin_key
    page.fill("#id_token", f"{TOTP(key).token():06d}")
    page.click("main form button[type=submit]")
    if enrolling:
        page.click("#recovery-continue")


@pytest.fixture
def staffed(transactional_db):
    from tests.scenario import make_staffed_grid

    return make_staffed_grid()
