import pytest
from rest_framework.test import APIClient

from tests.events.conftest import clock, world  # noqa: F401  (shared fixtures)
from tests.integrations.test_webhooks import eager, receiver  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _no_throttling(settings):
    settings.API_THROTTLE_RATES = {"client": None, "user": None, "anon": None, "auth_failure": None}
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def api_as(user=None, key=None) -> APIClient:
    """An API client signed in as `user` (session) or sending the API `key`."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    if key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client
