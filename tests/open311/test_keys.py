"""API keys through Open311 (Issues 13.7, 13.10): taken from the POST body or a header,
never from a query string (refused, and redacted from every log), and checked by the
API's own authentication class: the same messages, `last_used_at`, failure throttle and
client rate as /api/v1/."""

import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from rest_framework.test import APIClient

from events.models import Event
from integrations.models import ApiClient
from integrations.services import api_client_revoke, hash_key
from ningbo_grid.logsafe import RedactSecretsFilter, redact
from tests.factories import UserFactory

from .conftest import BASE, errors

SECRET = "k3y-SECRET-do-not-log"


def _post(client, key=None, path="requests.json", **extra):
    data = {"service_code": "04-001", "description": "井盖缺失", "address_id": extra.pop("grid")}
    if key is not None:
        data["api_key"] = key
    return client.post(BASE + path, data, **extra)


@pytest.mark.parametrize("path", ["requests.json?api_key={key}", "requests.xml?api_key={key}&x=1"])
def test_a_key_in_the_query_string_is_refused_even_with_the_right_one(client, world, key, path):
    response = _post(client, key, path=path.format(key=key), grid=world.tree.grid.code)
    assert response.status_code == 400
    ((code, description),) = errors(response)
    assert code == 400 and "api_key" in description
    assert not Event.objects.exists()
    assert ApiClient.objects.get().last_used_at is None  # not even looked at


@pytest.mark.parametrize("query", ["api_key=abc", "api%5Fkey=abc", "x=1&api_key="])
def test_reads_refuse_it_too(client, db, query):
    response = client.get(BASE + f"requests.json?{query}")
    assert response.status_code == 400
    assert errors(response)[0][0] == 400


def test_the_key_in_the_body_or_a_header_works_and_is_marked_used(client, world, key):
    assert _post(client, key, grid=world.tree.grid.code).status_code == 201
    assert ApiClient.objects.get().last_used_at == timezone.now()
    assert _post(client, grid=world.tree.grid.code, HTTP_X_API_KEY=key).status_code == 201
    assert _post(client, grid=world.tree.grid.code, HTTP_AUTHORIZATION=f"Api-Key {key}").status_code == 201
    assert Event.objects.count() == 3


def test_the_api_authentication_class_answers_for_the_key(client, world, key):
    """The same class: its messages for an unknown and a revoked key."""
    unknown = _post(client, "nonsense", grid=world.tree.grid.code)
    assert unknown.status_code == 403
    assert errors(unknown)[0][1] == "API 密钥无效。"
    root = UserFactory(is_superuser=True, is_staff=True)
    api_client_revoke(actor=root, client=ApiClient.objects.get(key_hash=hash_key(key)))
    revoked = _post(client, key, grid=world.tree.grid.code)
    assert revoked.status_code == 403
    assert errors(revoked)[0][1] == "API 密钥已被吊销。"
    assert not Event.objects.exists()


def test_failed_keys_count_together_with_the_rest_of_the_api(client, world, settings):
    settings.API_THROTTLE_RATES = {"client": None, "user": None, "anon": None, "auth_failure": "2/min"}
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Api-Key guess-1")
    assert api.get("/api/v1/events/").status_code == 401
    assert _post(client, "guess-2", grid=world.tree.grid.code).status_code == 403
    throttled = _post(client, "guess-3", path="requests.xml", grid=world.tree.grid.code)
    assert throttled.status_code == 429
    assert errors(throttled)[0][0] == 429
    assert 0 < int(throttled["Retry-After"]) <= 60


def test_a_key_over_its_rate_is_429(client, world, key, settings):
    settings.API_THROTTLE_RATES = {**settings.API_THROTTLE_RATES, "client": "1/min"}
    assert _post(client, key, grid=world.tree.grid.code).status_code == 201
    over = _post(client, key, grid=world.tree.grid.code)
    assert over.status_code == 429
    assert Event.objects.count() == 1


def test_redact_covers_query_strings_encoded_names_and_mappings():
    line = f"GET /open311/v2/requests.json?a=1&api_key={SECRET}&API%5FKEY={SECRET}&b=2 HTTP/1.1"
    assert redact(line) == "GET /open311/v2/requests.json?a=1&api_key=[redacted]&API%5FKEY=[redacted]&b=2 HTTP/1.1"
    assert SECRET not in redact(f"<QueryDict: {{'api_key': ['{SECRET}'], 'x': ['1']}}>")
    assert redact("service_code=04-001&description=a=b") == "service_code=04-001&description=a=b"


@pytest.mark.parametrize("logger", ["django.server", "django.request", "ningbo_grid.middleware"])
def test_django_log_lines_lose_the_key(logger):
    """runserver's request lines (`django.server`) and every other logger write through a
    handler that redacts, tracebacks included."""
    own = logging.getLogger(logger).handlers or logging.getLogger().handlers
    (handler,) = [h for h in own if h.get_name() == "console"]  # settings.LOGGING's (not pytest's)
    assert any(isinstance(f, RedactSecretsFilter) for f in handler.filters)
    try:
        raise ValueError(f"bad /open311/v2/requests.json?api_key={SECRET}")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        logger, logging.INFO, __file__, 1, '"%s" %s', (f"GET /x?api_key={SECRET} HTTP/1.1", 400), exc_info
    )
    assert handler.filter(record)
    line = handler.format(record)
    assert SECRET not in line and "api_key=[redacted]" in line


def test_a_crash_while_filing_logs_no_key(client, world, key, monkeypatch, caplog, capsys):
    def boom(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr("events.open311.views.services.event_report", boom)
    response = _post(client, key, grid=world.tree.grid.code)
    assert response.status_code == 500
    captured = capsys.readouterr()
    assert key not in caplog.text + captured.out + captured.err


ROOT = Path(django_settings.BASE_DIR)


def _wait_for(predicate, seconds=60.0):
    """Poll `predicate` until it returns something truthy (bounded)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_gunicorn_access_and_error_logs_lose_the_key(tmp_path):
    """The production server as the Procfile starts it (./gunicorn.conf.py is read from the
    working directory), with an access log format that also names the key headers."""
    access, error = tmp_path / "access.log", tmp_path / "error.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ningbo_grid.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # never touched: refused before any query
        "DEBUG": "0",
        "SECURE_SSL_REDIRECT": "0",
        "SECRET_KEY": "test-only",
        "TZ": "UTC",  # the machine's zone differs from Beijing's: the logs must not mix them
    }
    log_format = '%(h)s %(t)s "%(r)s" %(s)s %(q)s "%(f)s" %({x-api-key}i)s %({authorization}i)s'
    command = [
        *(sys.executable, "-m", "gunicorn", "ningbo_grid.wsgi:application"),
        *("--bind", "127.0.0.1:0", "--workers", "1", "--access-logfile", str(access)),
        *("--error-logfile", str(error), "--access-logformat", log_format),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    try:

        def port():
            text = error.read_text() if error.exists() else ""
            marker = "Listening at: http://127.0.0.1:"
            return text.split(marker, 1)[1].split(" ", 1)[0].strip() if marker in text else None

        base = f"http://127.0.0.1:{_wait_for(port)}"
        for path in (f"/open311/v2/requests.json?api_key={SECRET}", f"/open311/v2/services.xml?api%5Fkey={SECRET}"):
            request = urllib.request.Request(  # noqa: S310 - our own loopback server
                base + path,
                headers={"X-Api-Key": SECRET, "Authorization": f"Api-Key {SECRET}", "Referer": base + path},
            )
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=30)  # noqa: S310
            assert refused.value.code == 400
        _wait_for(lambda: access.exists() and len([x for x in access.read_text().splitlines() if " 400 " in x]) >= 2)
        text = access.read_text() + error.read_text()
        assert SECRET not in text
        assert "api_key=[redacted]" in text and "api%5Fkey=[redacted]" in text
        # One zone in one log: the master's lines (boot) and the workers' (requests) alike.
        stamps = re.findall(r"\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ([+-]\d{4})\]", error.read_text())
        stamps += re.findall(r"\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d ([+-]\d{4})\]", access.read_text())
        assert stamps and set(stamps) == {"+0800"}, stamps
    finally:
        server.terminate()
        server.wait(timeout=30)
