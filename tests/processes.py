"""Real processes for fault tests: the environment that points a child Python process
(a Celery worker, a script running a service) at this test run's database and Redis,
and a bounded wait on a condition.

pytest-django names the test database after the configured one (`test_<name>`); the
child gets it as its `DATABASE_URL`, so it must run in a `transactional_db` test (the
data committed, visible to other connections).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def child_env(*, tick: bool = False, **extra) -> dict:
    """`os.environ` plus the test database (PostgreSQL), the broker, this test's clock and
    `extra` (strings).

    The child loads `tests.settings_child`, which stops its clock at this process's present
    instant (`time.time()`, the test's controlled clock), or with `tick=True` starts it
    there and lets it run (a worker whose leases must expire). Run it with `cwd=ROOT`.
    """
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings_child",
        "TEST_CLOCK": f"{time.time():.6f}" + (":tick" if tick else ""),
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SECRET_KEY": settings.SECRET_KEY,
        "CONN_MAX_AGE": "0",
    }
    env.pop("DATABASE_REPLICA_URL", None)  # a child reads everything from the test database
    env.update({k: str(v) for k, v in extra.items()})
    return env


def spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """Start `python <args>` in its own process group (so a kill takes all its children)."""
    out = log.open("ab")
    return subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, *args], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_for(condition, what: str, polls: int = 600, every: float = 0.1, tick=None):
    """Poll `condition()` until it is truthy, at most `polls` times `every` seconds; returns
    its value or fails naming `what`. `tick(i)` (optional) runs before each poll."""
    for i in range(polls):
        if tick:
            tick(i)
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"gave up waiting for {what}")
