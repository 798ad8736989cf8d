import pytest

from tests.events.conftest import MONDAY_9, clock  # noqa: F401  (fixtures)
from tests.scenario import make_world

__all__ = ["MONDAY_9"]


@pytest.fixture
def world(db, clock):  # noqa: F811
    return make_world()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
