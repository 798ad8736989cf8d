import pytest
from rest_framework.test import APIClient

from .scenario import make_scenario


@pytest.fixture(autouse=True)
def _webhooks_may_target_localhost(settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def scenario(db):
    """The three-user scenario (`tests.api.scenario`); test modules may define their own."""
    return make_scenario()


@pytest.fixture
def api(scenario):
    """An API client signed in as the scenario's district supervisor (`authority`)."""
    client = APIClient()
    client.force_login(scenario.authority)
    return client
