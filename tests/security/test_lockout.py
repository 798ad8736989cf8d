"""Sign-in lockout (django-axes): per account and per address, lifted by time or by an
administrator, every step in the audit trail. Time frozen with time-machine."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.management import call_command
from django.utils import timezone

from security.choices import EventKind
from security.models import SecurityEvent

from .conftest import sign_in


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=30)


def _fail(client, username, times, addr="10.0.0.1"):
    for _ in range(times):
        sign_in(client, username, "wrong-password", REMOTE_ADDR=addr)


def test_five_failures_lock_the_account_even_with_the_right_password(client, plain_user):
    with time_machine.travel(timezone.now(), tick=False):
        _fail(client, "plain", 4)
        assert sign_in(client, "plain", REMOTE_ADDR="10.0.0.9").status_code == 302  # 4 failures: still allowed
        client.logout()
        _fail(client, "plain", 5, addr="10.0.0.2")
        response = sign_in(client, "plain", REMOTE_ADDR="10.0.0.3")  # another address: the account is locked
    assert response.status_code == 429
    assert "登录已被锁定" in response.content.decode()
    assert SecurityEvent.objects.filter(kind=EventKind.LOCKOUT, actor_username="plain").exists()


def test_five_failures_from_one_address_lock_that_address_for_every_account(client, plain_user):
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(5):
            sign_in(client, f"guess{n}", "wrong", REMOTE_ADDR="10.0.0.7")
        assert sign_in(client, "plain", REMOTE_ADDR="10.0.0.7").status_code == 429
        assert sign_in(client, "plain", REMOTE_ADDR="10.0.0.8").status_code == 302  # other address: fine


def test_the_lockout_lifts_after_the_cool_off_time(client, plain_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _fail(client, "plain", 5)
        assert sign_in(client, "plain").status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert sign_in(client, "plain").status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=31), tick=False):
        assert sign_in(client, "plain").status_code == 302


def test_an_administrator_lifts_the_lockout_and_it_is_logged(client, plain_user):
    with time_machine.travel(timezone.now(), tick=False):
        _fail(client, "plain", 5)
        assert sign_in(client, "plain").status_code == 429
        call_command("axes_reset_username", "plain")
        assert not AccessAttempt.objects.exists()
        assert sign_in(client, "plain").status_code == 302
    lifted = SecurityEvent.objects.get(kind=EventKind.LOCKOUT_LIFTED)
    assert lifted.target == "user:plain" and lifted.detail["locked_address"] == "10.0.0.1"


def test_a_failure_for_an_unknown_account_does_not_keep_what_was_typed(client, db):
    sign_in(client, "13812345678", "wrong")
    row = SecurityEvent.objects.get(kind=EventKind.LOGIN_FAILED)
    assert row.actor_username == "" and row.detail == {"unknown_account": True}
    assert "13812345678" not in str(row.__dict__)
