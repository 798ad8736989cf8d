"""Network logs kept six months: with LOG_DIR set, access lines and records go to files
that logrotate keeps >= 183 days (Cybersecurity Law Art. 21)."""

import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.processes import child_env


def test_with_log_dir_each_request_writes_an_access_line_to_a_file(tmp_path, db):
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "Client().get('/accounts/login/?phone=13900001111', REMOTE_ADDR='10.9.8.7')\n"
    )
    env = child_env(LOG_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, check=True, timeout=120)  # noqa: S603
    line = (tmp_path / "access.log").read_text(encoding="utf-8").strip().splitlines()[-1]
    expected = r"INFO security\.access 10\.9\.8\.7 - GET /accounts/login/ \d{3} \d+ms (-|[0-9a-f]{32})$"
    assert re.search(expected, line), line
    assert "13900001111" not in line  # no query strings
    assert (tmp_path / "platform.log").exists()


def test_without_log_dir_nothing_is_written_and_retention_is_at_least_six_months():
    assert "access_file" not in settings.LOGGING["handlers"]
    assert settings.LOG_RETENTION_DAYS >= 183
    rotate = (Path(settings.BASE_DIR) / "deploy" / "logrotate.conf").read_text()
    assert int(re.search(r"^\s*rotate (\d+)", rotate, re.M).group(1)) >= 183
    assert re.search(r"^\s*daily$", rotate, re.M)
