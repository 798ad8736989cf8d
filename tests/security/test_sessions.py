"""Session idle timeout and absolute lifetime (time frozen), my sessions and ending them,
and sessions ended when a role ends or the account is disabled."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from personnel import services
from security.choices import EventKind
from security.models import SecurityEvent, UserSession

from .conftest import sign_in


@pytest.fixture(autouse=True)
def _production_timeouts(settings):
    settings.SESSION_IDLE_MINUTES = 30
    settings.SESSION_ABSOLUTE_HOURS = 12
    settings.SESSION_COOKIE_AGE = 12 * 3600


def _signed_in(client) -> bool:
    return client.get("/security/").status_code == 200


def test_thirty_idle_minutes_sign_the_user_out(client, plain_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, "plain")
    with time_machine.travel(start + datetime.timedelta(minutes=29), tick=False):
        assert _signed_in(client)  # activity at 29 min restarts the idle clock
    with time_machine.travel(start + datetime.timedelta(minutes=58), tick=False):
        assert _signed_in(client)
    with time_machine.travel(start + datetime.timedelta(minutes=89), tick=False):
        response = client.get("/security/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert SecurityEvent.objects.filter(kind=EventKind.SESSION_EXPIRED, detail__reason="idle").exists()


def test_the_idle_timeout_is_a_setting(client, plain_user, settings):
    settings.SESSION_IDLE_MINUTES = 5
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, "plain")
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        assert not _signed_in(client)


def test_an_active_session_still_ends_after_its_absolute_lifetime(client, plain_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(client, "plain")
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert _signed_in(client), minutes
    with time_machine.travel(start + datetime.timedelta(hours=12, minutes=5), tick=False):
        assert not _signed_in(client)
    assert SecurityEvent.objects.filter(kind=EventKind.SESSION_EXPIRED, detail__reason="absolute").exists()


def test_i_see_my_sessions_and_end_another_one(plain_user):
    laptop, phone = Client(), Client(HTTP_USER_AGENT="Phone browser")
    sign_in(laptop, "plain")
    sign_in(phone, "plain")
    page = laptop.get("/security/").content.decode()
    assert "Phone browser" in page and "当前会话" in page
    other = UserSession.objects.get(user_agent="Phone browser")
    assert laptop.post(f"/security/sessions/{other.pk}/end/").status_code == 302
    assert not _signed_in(phone)
    assert _signed_in(laptop)


def test_a_session_of_someone_else_cannot_be_ended(plain_user, django_user_model):
    django_user_model.objects.create_user("other", password="pw-for-tests-1")
    mine, theirs = Client(), Client()
    sign_in(mine, "plain")
    sign_in(theirs, "other")
    row = UserSession.objects.get(user__username="other")
    assert mine.post(f"/security/sessions/{row.pk}/end/").status_code == 404
    assert _signed_in(theirs)


def test_disabling_an_account_ends_its_sessions(client, plain_user):
    sign_in(client, "plain")
    plain_user.is_active = False
    plain_user.save()
    assert not _signed_in(client)
    assert not UserSession.objects.filter(user=plain_user).exists()
    assert SecurityEvent.objects.filter(kind=EventKind.ACCOUNT_CHANGED, detail__is_active=False).exists()


def test_ending_a_role_ends_its_holders_sessions(client, supervisor):
    client.force_login(supervisor)
    assert _signed_in(client)
    services.membership_end(actor=None, membership=supervisor.memberships.get())
    assert not _signed_in(client)
    assert SecurityEvent.objects.filter(kind=EventKind.ROLE_CHANGED, detail__role="supervisor").exists()


def test_an_administrator_ends_a_staff_members_sessions_on_every_device(db):
    """Issue #19 item 5: a lost phone — those who may change the staff record sign its
    owner out everywhere from the record; others may not."""
    from tests.scenario import make_world

    world = make_world()
    phone, laptop = Client(), Client()
    phone.force_login(world.worker)
    laptop.force_login(world.worker)
    assert _signed_in(phone) and _signed_in(laptop)
    staff = world.worker.staff
    url = f"/security/staff/{staff.pk}/end-sessions/"

    outsider = Client()
    outsider.force_login(world.other_supervisor)
    assert outsider.post(url).status_code == 404
    colleague = Client()
    colleague.force_login(world.worker2)  # sees staff of the township? at most views, never changes
    assert colleague.post(url).status_code in (403, 404)
    assert _signed_in(phone) and _signed_in(laptop)

    admin = Client()
    admin.force_login(world.supervisor)
    page = admin.get(f"/personnel/staff/{staff.pk}/")
    assert url in page.content.decode()
    response = admin.post(url)
    assert response.status_code == 302 and response["Location"] == f"/personnel/staff/{staff.pk}/"
    assert not _signed_in(phone) and not _signed_in(laptop)
    row = SecurityEvent.objects.filter(kind=EventKind.SESSION_ENDED, target=f"user:{world.worker.pk}").get()
    assert row.detail["by_administrator"] is True and row.detail["count"] == 2
    assert _signed_in(admin)  # the administrator's own session stays
