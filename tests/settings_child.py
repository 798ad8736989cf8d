"""Settings for a process a test starts (a worker, a server, a script): the production
settings on the starting test's clock, so no process of a test reads the machine's time.

`TEST_CLOCK=<epoch seconds>` stops the child's clock at that instant;
`TEST_CLOCK=<epoch seconds>:tick` starts it there and lets it run. Build the
environment with `tests.processes.child_env()`.
"""

import os

import time_machine

from ningbo_grid.settings import *  # noqa: F403

_clock = os.environ.get("TEST_CLOCK", "")
if _clock:
    _at, _, _mode = _clock.partition(":")
    time_machine.travel(float(_at), tick=_mode == "tick").start()
