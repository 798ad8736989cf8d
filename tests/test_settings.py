"""The settings as a deployment and `make run` load them, each in a fresh Python process
with a controlled environment (settings are read once, at import): the secret key is never
a silent fallback, the webhook SSRF guard does not depend on DEBUG, and the production
security defaults hold unless relaxed explicitly."""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Variables the settings read that the test environment may carry; each test sets its own.
CONTROLLED = {
    "SECRET_KEY",
    "PERSONAL_DATA_KEYS",
    "LOCAL_SECRET_KEY_FILE",
    "DEBUG",
    "WEBHOOK_PRIVATE_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "DATABASE_TRANSACTION_POOLING",
    "DATABASE_JIT",
    "REDIS_URL",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "DJANGO_SETTINGS_MODULE",
}
SHOW = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "SECRET_KEY": settings.SECRET_KEY,
    "DEBUG": settings.DEBUG,
    "SECURE_SSL_REDIRECT": settings.SECURE_SSL_REDIRECT,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
    "CSRF_COOKIE_SECURE": settings.CSRF_COOKIE_SECURE,
    "STATICFILES": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def load(var_dir: Path, code: str = SHOW, **env: str) -> subprocess.CompletedProcess:
    """Run `code` with ningbo_grid.settings under exactly `env` (plus PATH and a scratch VAR_DIR)."""
    clean = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    if "SECRET_KEY" in env:  # a deployment sets both (the personal-data keys: tests/ledgers/test_crypto.py)
        clean["PERSONAL_DATA_KEYS"] = "k1:" + "A" * 43 + "="
    clean.update(VAR_DIR=str(var_dir), DJANGO_SETTINGS_MODULE="ningbo_grid.settings", **env)
    return subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def shown(result: subprocess.CompletedProcess) -> dict:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("debug", ["0", "1"])
def test_without_a_secret_key_the_platform_refuses_to_start(tmp_path, debug):
    result = load(tmp_path, DEBUG=debug)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr
    assert "LOCAL_SECRET_KEY_FILE=1" in result.stderr  # says how a demo opts in
    assert not (tmp_path / "secret_key").exists()  # and writes no key of its own


def test_the_local_key_file_is_used_only_when_opted_in_and_stays_the_same(tmp_path):
    first = shown(load(tmp_path, LOCAL_SECRET_KEY_FILE="1"))["SECRET_KEY"]
    key_file = tmp_path / "secret_key"
    assert len(first) >= 50 and key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert shown(load(tmp_path, LOCAL_SECRET_KEY_FILE="1"))["SECRET_KEY"] == first
    # The file alone, without the opt-in, is not a key.
    assert load(tmp_path).returncode != 0


def test_a_given_secret_key_wins_and_no_file_is_made(tmp_path):
    assert shown(load(tmp_path, SECRET_KEY="k" * 50, LOCAL_SECRET_KEY_FILE="1"))["SECRET_KEY"] == "k" * 50
    assert not (tmp_path / "secret_key").exists()


def test_production_defaults_are_secure_and_make_run_relaxes_them_explicitly(tmp_path):
    deployed = shown(load(tmp_path, SECRET_KEY="k" * 50))
    assert deployed == {
        "SECRET_KEY": "k" * 50,
        "DEBUG": False,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "STATICFILES": "whitenoise.storage.CompressedManifestStaticFilesStorage",
    }
    # What bin/run-dev exports for plain http on this machine: still DEBUG off.
    relaxed = {"SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0"}
    local = shown(load(tmp_path, LOCAL_SECRET_KEY_FILE="1", **relaxed))
    assert local["DEBUG"] is False
    assert not (local["SECURE_SSL_REDIRECT"] or local["SESSION_COOKIE_SECURE"] or local["CSRF_COOKIE_SECURE"])


DATABASES = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({"databases": settings.DATABASES, "routers": getattr(settings, "DATABASE_ROUTERS", [])}, default=str))
"""


def test_a_replica_is_configured_only_when_given(tmp_path):
    primary = "postgres://postgres@127.0.0.1:5432/grid"
    alone = shown(load(tmp_path, code=DATABASES, LOCAL_SECRET_KEY_FILE="1", DATABASE_URL=primary))
    assert set(alone["databases"]) == {"default"} and alone["routers"] == []
    both = shown(
        load(
            tmp_path,
            code=DATABASES,
            LOCAL_SECRET_KEY_FILE="1",
            DATABASE_URL=primary,
            DATABASE_REPLICA_URL="postgres://postgres@10.0.0.2:5432/grid",
            DATABASE_TRANSACTION_POOLING="1",
        )
    )
    replica = both["databases"]["replica"]
    assert replica["HOST"] == "10.0.0.2" and replica["TEST"]["MIRROR"] == "default"
    assert replica["OPTIONS"]["connect_timeout"] == 2
    assert both["routers"] == ["ningbo_grid.replica.ReplicaRouter"]
    assert all(db["DISABLE_SERVER_SIDE_CURSORS"] for db in both["databases"].values())


WEBHOOK = """
import django
django.setup()
from django.core.exceptions import ValidationError
from integrations.urlcheck import check_webhook_url
for url in {urls!r}:
    try:
        check_webhook_url(url)
        print("accepted", url)
    except ValidationError as exc:
        print("refused", url, exc.code)
"""
PRIVATE = ["http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8080/h"]


@pytest.mark.parametrize("debug", ["0", "1"])
def test_webhook_ssrf_guard_holds_with_debug_on_too(tmp_path, debug):
    result = load(tmp_path, WEBHOOK.format(urls=PRIVATE), SECRET_KEY="k" * 50, DEBUG=debug)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == [f"refused {url} private" for url in PRIVATE]


def test_webhook_private_hosts_come_from_the_environment(tmp_path):
    env = {"SECRET_KEY": "k" * 50, "DEBUG": "1", "WEBHOOK_PRIVATE_HOSTS": "127.0.0.1,10.20.0.0/16"}
    urls = ["http://127.0.0.1:8080/h", "http://10.20.3.4/h", "http://10.21.0.1/h"]
    result = load(tmp_path, WEBHOOK.format(urls=urls), **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == [
        "accepted http://127.0.0.1:8080/h",
        "accepted http://10.20.3.4/h",
        "refused http://10.21.0.1/h private",
    ]


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_sessions_run_without_jit_unless_asked(tmp_path):
    """JIT compiled a one-page list for 40-190 ms before a 0.4 ms plan ran (issue #20): the
    platform's connections turn it off; DATABASE_JIT=1 leaves the server's setting."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    code = "import json, django\nfrom django.conf import settings\ndjango.setup()\n"
    code += "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
    url = "postgres://postgres@127.0.0.1:5432/x"
    cases = (("", "", {"options": "-c jit=off"}), ("1", "", {}), ("", "1", {}))  # (DATABASE_JIT, pooling)
    for jit, pooling, expected in cases:
        pooled = {"DATABASE_TRANSACTION_POOLING": pooling}
        done = load(tmp_path, code, SECRET_KEY="s" * 50, DATABASE_URL=url, DATABASE_JIT=jit, **pooled)
        assert json.loads(done.stdout.strip().splitlines()[-1]) == expected, done.stderr
