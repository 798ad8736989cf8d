import pytest

from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.API_THROTTLE_RATES = {"client": None, "user": None, "anon": None, "auth_failure": None}
    settings.WEBHOOK_ALLOW_PRIVATE = True
