import pytest
from django.core.cache import cache

from tests.events.conftest import MONDAY_9, clock  # noqa: F401  (fixtures)
from tests.scenario import make_world

__all__ = ["MONDAY_9"]


@pytest.fixture
def world(db, clock):  # noqa: F811
    return make_world()


@pytest.fixture(autouse=True)
def _empty_cache_after():
    """The shared conftest empties the cache before each test; public rate limits also after."""
    yield
    cache.clear()
