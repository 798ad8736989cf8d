"""The outbox's kick on commit works in a management command, not only in a web or worker
process: a command (`seed_demo`, `shell`, a data import) has not imported the apps'
Celery tasks, so the kick must import them before queuing `events.tasks.outbox_deliver`
(`ningbo_grid.outbox.kick_on_commit`; a `NotRegistered`/`KeyError` there is swallowed
by the robust on-commit callback and the mail waits for beat).

A real process: `manage.py shell` with the project's Celery app and settings, tasks run
eagerly (`CELERY_TASK_ALWAYS_EAGER`), so the kick's delivery happens before it exits.
"""

import subprocess
import sys

import pytest

from events.choices import MessageStatus
from events.messaging import OutboxMessage
from tests.factories import UserFactory
from tests.processes import ROOT, child_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

COMMAND = """
from django.db import transaction
from events import notify
with transaction.atomic():
    notify.enqueue([notify.Outgoing("kick-command-test", {user}, "台风预警", "请关好门窗。")])
"""


def test_a_management_command_that_commits_an_outbox_row_has_it_sent_on_commit():
    user = UserFactory(email="grid@example.org")
    env = child_env(CELERY_TASK_ALWAYS_EAGER="true", EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", COMMAND.format(user=user.pk)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (row,) = OutboxMessage.objects.filter(user=user)
    # Sent by the kick when the command's transaction committed, not left for beat.
    assert row.status == MessageStatus.SENT, (row.status, done.stderr[-2000:])
