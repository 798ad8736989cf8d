"""Keep API keys out of every log.

A key belongs in a header (`X-Api-Key`, `Authorization: Api-Key …`) or, for Open311, in
the POST body; a client that puts `api_key=` in a URL anyway is refused (400), but the
request line has already reached the access log by then. So every log line is redacted
on the way out:

- `RedactSecretsFilter`, a logging filter, rewrites a record's message (and its
  traceback) with `redact()`. `settings.LOGGING` puts it on the console handler, which
  Django's request lines (`django.server`, runserver) and every other logger go through.
- `GunicornLogger` (gunicorn's `logger_class`, set in `gunicorn.conf.py`) puts the same
  filter on gunicorn's access and error logs, and blanks the key headers' atoms
  (`%({x-api-key}i)s`, `%({authorization}i)s`) in case a format ever names them.
"""

import logging
import re
from urllib.parse import unquote_plus

from gunicorn import glogging

REDACTED = "[redacted]"
#: Parameter names (after percent-decoding, any case) whose values are secrets.
SECRET_PARAMS = frozenset({"api_key", "apikey", "api-key"})
#: Request headers that carry a key (lower case, as gunicorn names its atoms).
SECRET_HEADERS = ("x-api-key", "authorization")

_PARAM = re.compile(r"(?P<name>[^\s?&=\"'<>]+)=(?P<value>[^\s&\"'<>]*)")
# A mapping's repr or JSON: 'api_key': 'x', "api_key": ["x"].
_MAPPING = re.compile(r"(?i)(?P<head>['\"]api[_-]?key['\"]\s*:\s*\[?\s*['\"])[^'\"]*")


def redact(text: str) -> str:
    """`text` with the value of every `api_key` parameter (query-string style, also
    percent-encoded names like `api%5Fkey`, or in a mapping's repr) replaced by
    `[redacted]`."""
    if not text or ("=" not in text and ":" not in text):
        return text

    def param(match: re.Match) -> str:
        if unquote_plus(match["name"]).lower() in SECRET_PARAMS:
            return f"{match['name']}={REDACTED}"
        return match[0]

    return _MAPPING.sub(lambda m: m["head"] + REDACTED, _PARAM.sub(param, text))


class RedactSecretsFilter(logging.Filter):
    """Redact a record's final message and traceback (see `redact`). Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


class GunicornLogger(glogging.Logger):
    """gunicorn's logger with keys redacted from the access and error logs (see module)."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, RedactSecretsFilter) for f in log.filters):
                log.addFilter(RedactSecretsFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for header in SECRET_HEADERS:
            if f"{{{header}}}i" in atoms:
                atoms[f"{{{header}}}i"] = REDACTED
        for name in ("{http_x_api_key}e", "{http_authorization}e"):
            if name in atoms:
                atoms[name] = REDACTED
        return atoms
