"""Evaluation test settings: pages use `{% static %}`, which the production manifest storage
only resolves after `collectstatic`; tests use the plain storage instead."""

import pytest


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
