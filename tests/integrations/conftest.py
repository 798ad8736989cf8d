import pytest

from tests.api.scenario import make_scenario
from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _webhooks_may_target_localhost(settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def scenario(db):
    return make_scenario()
