"""gunicorn settings read from the working directory (gunicorn loads ./gunicorn.conf.py
by default; the Procfile and docker-compose commands add their own flags on top).

`logger_class` redacts API keys from the access and error logs (ningbo_grid.logsafe):
a client that sends `?api_key=` in a URL is refused, but its request line is logged
before that, and a key must never be written to a log (Issue 13.7).

The master process logs in Beijing time like the workers: Django sets the process's
zone from `TIME_ZONE` only when a worker loads the settings, so without this the
master's lines (boot, worker exits) were in the machine's zone and the workers' in
Asia/Shanghai, in one log.

`post_worker_init` freezes what the worker loaded (Django, the URL conf, numpy, shapely,
the translation catalogues…) out of the cyclic garbage collector's reach (`gc.freeze`):
it lives as long as the worker, yet every full collection walked it again. Measured at
5 M events, the township's 1,187-marker map (in-process, 30 requests): p50 27 ms either
way, but one request in ~15 took 100–117 ms (a full collection), so p95 was 125 ms;
frozen, the slowest of 30 took 43 ms.
"""

import gc
import os
import time

os.environ["TZ"] = "Asia/Shanghai"  # the same zone as settings.TIME_ZONE
time.tzset()

logger_class = "ningbo_grid.logsafe.GunicornLogger"


def post_worker_init(worker):
    """Keep the loaded application out of the cyclic collector's full passes (see above)."""
    gc.freeze()
