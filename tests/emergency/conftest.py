"""An emergency world on the events tests' world: a leader for the second grid too."""

import pytest

from emergency import services
from personnel.choices import GridRole
from tests.events.conftest import clock, world  # noqa: F401  (fixtures)
from tests.scenario import grid_user


@pytest.fixture
def leader2(world):  # noqa: F811
    """The second grid's leader (the world's `leader` leads the first, `micro_leader` its micro-grid)."""
    return grid_user(world.tree.grid2, GridRole.GRID_LEADER, mobile="13800000009")


@pytest.fixture
def response(world, leader2):  # noqa: F811
    """A typhoon response (level IV) for the district 海曙区, activated by its supervisor."""
    return services.response_activate(
        actor=world.supervisor,
        area=world.tree.county,
        hazard="typhoon",
        level="IV",
        title="台风“梅花”防御",
        instructions="各网格立即排查危房、低洼地带，转移危险区域人员。",
    )
