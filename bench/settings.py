"""Settings for benchmark runs: the platform's settings plus two opt-in bench hooks.

`BENCH_COUNT_QUERIES=1` adds `bench.middleware.QueryCountMiddleware` (X-Query-Count
header); `BENCH_PEER=1` mounts the plain-DRF peer under /bench/peer/ and the limit view under
/bench/limit/ (bench/urls.py).
Nothing here is used by the platform itself.
"""

import os

from ningbo_grid.settings import *  # noqa: F403
from ningbo_grid.settings import MIDDLEWARE, STORAGES

# Static files are not what is measured: no manifest, so no collectstatic before a run.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

if os.environ.get("BENCH_COUNT_QUERIES") == "1":
    MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
if os.environ.get("BENCH_PEER") == "1":
    ROOT_URLCONF = "bench.urls"
