"""The test clock across processes: a child process started by a test keeps its time."""

import os
import time
from pathlib import Path

#: The repository root: a child's working directory, so that `tests.settings_child` imports.
ROOT = Path(__file__).resolve().parents[1]


def child_env(*, tick: bool = False) -> dict[str, str]:
    """The environment for a child process (a `subprocess` argument) on this test's clock.

    The child loads `tests.settings_child`, which stops its clock at this process's
    present instant (`time.time()`, the test's controlled clock), or with `tick=True`
    starts it there and lets it run. Run the child with `cwd=ROOT`.
    """
    moment = f"{time.time():.6f}" + (":tick" if tick else "")
    return os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings_child", "TEST_CLOCK": moment}
