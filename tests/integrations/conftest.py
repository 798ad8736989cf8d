import pytest

from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)
from tests.scenario import make_world


@pytest.fixture(autouse=True)
def _webhooks_may_target_localhost(settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def scenario(db):
    return make_world()
