"""Shared test configuration.

Tests marked `postgres` need PostgreSQL (row and advisory locks). On SQLite they are
skipped, except when `REQUIRE_POSTGRES=1` (CI), where running on anything else fails.
Tests marked `redis` need Redis (`REDIS_URL`); skipped without it, except when
`REQUIRE_REDIS=1` or `CI` is set, where its absence fails the run.
Tests marked `e2e` likewise fail instead of skipping when `REQUIRE_E2E=1`.
Tests marked `replica` need a streaming read replica (`DATABASE_REPLICA_URL`, see
bin/pg-replica); skipped without it, except when `REQUIRE_REPLICA=1` (.ci/run).

No test sees the real clock: every test starts at `SUITE_NOW` (see `suite_clock`).
"""

import datetime
import os
import shutil
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    has_redis = bool(django_settings.REDIS_URL)
    has_replica = "replica" in django_settings.DATABASES
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            if os.environ.get("REQUIRE_POSTGRES") == "1":
                raise pytest.UsageError("REQUIRE_POSTGRES=1 but DATABASE_URL is not PostgreSQL")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "e2e" in item.keywords and not _chromium():
            if os.environ.get("REQUIRE_E2E") == "1":
                raise pytest.UsageError(f"REQUIRE_E2E=1 but no Chromium at {CHROMIUM}")
            item.add_marker(pytest.mark.skip(reason=f"needs Chromium at {CHROMIUM} (set CHROMIUM_PATH)"))
        if "redis" in item.keywords and not has_redis:
            if os.environ.get("REQUIRE_REDIS") == "1" or os.environ.get("CI"):
                raise pytest.UsageError("Redis is required (REQUIRE_REDIS=1 or CI) but REDIS_URL is not set")
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))
        if item.get_closest_marker("replica") and not has_replica:
            if os.environ.get("REQUIRE_REPLICA") == "1":
                raise pytest.UsageError("REQUIRE_REPLICA=1 but DATABASE_REPLICA_URL is not set")
            item.add_marker(pytest.mark.skip(reason="needs a streaming replica (set DATABASE_REPLICA_URL)"))


#: Debian's Chromium, driven by Playwright in tests/e2e.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _chromium() -> bool:
    return bool(shutil.which(CHROMIUM))


#: Ningbo's zone (settings.TIME_ZONE); naive `TEST_NOW` values are read in it.
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _suite_now() -> datetime.datetime:
    """Where every test's clock starts: `TEST_NOW` (ISO 8601; naive = Beijing time) or
    Monday 2026-11-30 10:00:00 Beijing — a working morning the official calendar knows,
    hours from the working day's edges and on a whole minute, so a test has a minute
    before any per-minute rate-limit window turns. `TEST_NOW` runs the suite on another
    day (a weekend, a holiday, a year's last seconds) to find tests that depend on it."""
    value = os.environ.get("TEST_NOW")
    if not value:
        return datetime.datetime(2026, 11, 30, 10, 0, tzinfo=BEIJING)
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


SUITE_NOW = _suite_now()


@pytest.fixture(autouse=True)
def suite_clock():
    """Every test runs on a controlled clock starting at `SUITE_NOW`, never the machine's.

    The clock ticks (tick=True) from there, so timestamps still order as in life, and a
    test takes minutes of real time, not hours, before it could reach a window or day
    edge. `timezone.now()`, `time.time()`, `date.today()` all follow it, in every thread
    of this process (the live server of the browser tests included); `time.monotonic()`
    (timeouts, Playwright's waits) does not. A test needing a fixed instant nests its
    own `time_machine.travel(...)`; a child process must be given the time explicitly
    (see tests/api/test_throttling.py).
    """
    with time_machine.travel(SUITE_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Plain HTTP (production redirects the test client to HTTPS); a fast password hash
    (PBKDF2 costs over a second here); static URLs without the collectstatic manifest; an
    empty cache, so rate-limit counters never leak from one test (or run) into another."""
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # `{% static %}` without a collectstatic manifest (production uses the manifest).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    cache.clear()
    # Tests travel days forward between requests of one signed-in client (deadlines,
    # evaluation periods): the session timeouts would sign it out. Their own tests
    # (tests/security/test_sessions.py) put back the production figures.
    settings.SESSION_IDLE_MINUTES = 60 * 24 * 366
    settings.SESSION_ABSOLUTE_HOURS = 24 * 366
    settings.SESSION_COOKIE_AGE = 3600 * 24 * 366


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """`Client.force_login` skips the sign-in form, and so the second factor: the session it
    makes is marked verified with a TOTP device made for the user, exactly what a correct
    code would do (security.views.otp_verify). Tests of the second factor itself sign in
    through the form (tests/security), or use `force_login_unverified`."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    unverified = Client.force_login

    def force_login(self, user, backend=None):
        unverified(self, user, backend)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()

    monkeypatch.setattr(Client, "force_login_unverified", unverified, raising=False)
    monkeypatch.setattr(Client, "force_login", force_login)
