import pytest

from tests.scenario import make_staffed_grid


@pytest.fixture
def staffed(db):
    return make_staffed_grid()
