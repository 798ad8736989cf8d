"""Shared test configuration.

Tests marked `postgres` need PostgreSQL (row and advisory locks). On SQLite they are
skipped, except when `REQUIRE_POSTGRES=1` (CI), where running on anything else fails.
Tests marked `redis` need Redis (`REDIS_URL`); skipped without it, except when
`REQUIRE_REDIS=1` or `CI` is set, where its absence fails the run.
Tests marked `e2e` likewise fail instead of skipping when `REQUIRE_E2E=1`.
"""

import os
import shutil

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    has_redis = bool(django_settings.REDIS_URL)
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


#: Debian's Chromium, driven by Playwright in tests/e2e.
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _chromium() -> bool:
    return bool(shutil.which(CHROMIUM))


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
