import datetime
import zoneinfo

import pytest
import time_machine

from tests.scenario import make_world

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
#: Monday 2025-06-09 09:00 local: an ordinary working morning.
MONDAY_9 = datetime.datetime(2025, 6, 9, 9, 0, tzinfo=TZ)


@pytest.fixture
def clock():
    """Time frozen-ish (ticking off) at Monday 09:00; `clock.move_to(...)` to travel."""
    with time_machine.travel(MONDAY_9, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    return make_world()
