import pytest


@pytest.fixture(autouse=True)
def _webhooks_may_target_localhost(settings):
    settings.WEBHOOK_PRIVATE_HOSTS = ["127.0.0.1"]
