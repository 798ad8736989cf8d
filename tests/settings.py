"""The test suite's settings: the platform's own (ningbo_grid.settings), with the local
key file opted in explicitly (`LOCAL_SECRET_KEY_FILE=1`, a generated key under VAR_DIR)
when the environment gives no SECRET_KEY. It is set in the environment, not only here,
so processes the tests start (gunicorn, Celery, a second Django) use the same key."""

import os

os.environ.setdefault("LOCAL_SECRET_KEY_FILE", "1")

from ningbo_grid.settings import *  # noqa: F403
