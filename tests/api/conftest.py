import pytest
from rest_framework.test import APIClient

from tests.scenario import make_world


@pytest.fixture(autouse=True)
def _webhooks_may_target_localhost(settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def scenario(db):
    """The shared world (`tests.scenario.make_world`); test modules may define their own."""
    return make_world()


@pytest.fixture
def api(scenario):
    """An API client signed in as the world's district supervisor."""
    client = APIClient()
    client.force_login(scenario.supervisor)
    return client
