import pytest
from django.core.cache import cache

from tests.events.conftest import MONDAY_9, clock  # noqa: F401  (fixtures)
from tests.events.factories import make_world

__all__ = ["MONDAY_9"]


@pytest.fixture
def world(db, clock):  # noqa: F811
    return make_world()


@pytest.fixture(autouse=True)
def _fast_passwords_and_cache(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()
