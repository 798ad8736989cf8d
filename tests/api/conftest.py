import pytest


@pytest.fixture(autouse=True)
def _webhooks_may_target_localhost(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
