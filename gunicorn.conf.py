"""gunicorn settings read from the working directory (gunicorn loads ./gunicorn.conf.py
by default; the Procfile and docker-compose commands add their own flags on top).

`logger_class` redacts API keys from the access and error logs (ningbo_grid.logsafe):
a client that sends `?api_key=` in a URL is refused, but its request line is logged
before that, and a key must never be written to a log (Issue 13.7).
"""

logger_class = "ningbo_grid.logsafe.GunicornLogger"
