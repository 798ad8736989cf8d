import pytest

from tests.events.conftest import MONDAY_9, clock  # noqa: F401  (fixtures)
from tests.scenario import make_world

__all__ = ["MONDAY_9"]


@pytest.fixture
def world(db, clock):  # noqa: F811
    """The shared world on Monday 2025-06-09 09:00 Beijing (time does not tick)."""
    return make_world()
