"""The second factor (TOTP): who needs it, enrolment with QR code and recovery codes in the
browser, verification at sign-in, recovery codes, and the API's answer before it."""

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from personnel.choices import GridRole, PlatformRole
from security import twofactor
from security.choices import EventKind
from security.models import SecurityEvent

from .conftest import code, sign_in


def test_the_roles_that_reveal_supervise_or_keep_the_catalogue_need_it():
    assert {
        GridRole.GRID_LEADER,
        PlatformRole.DISPATCHER,
        PlatformRole.SUPERVISOR,
        PlatformRole.CATALOG_ADMIN,
    } <= twofactor.SENSITIVE_ROLES
    assert GridRole.FULLTIME_WORKER not in twofactor.SENSITIVE_ROLES
    assert PlatformRole.HANDLER not in twofactor.SENSITIVE_ROLES


def test_a_plain_worker_signs_in_with_the_password_alone(client, plain_user):
    sign_in(client, "plain")
    assert client.get("/").status_code == 200


def test_superuser_and_security_auditor_need_it(plain_user, django_user_model):
    from django.contrib.auth.models import Group

    admin = django_user_model.objects.create_superuser("root", password="pw-for-tests-1")
    assert twofactor.requires_second_factor(admin)
    assert not twofactor.requires_second_factor(plain_user)
    plain_user.groups.add(Group.objects.get(name="安全审计员"))
    plain_user = django_user_model.objects.get(pk=plain_user.pk)
    assert twofactor.requires_second_factor(plain_user)


def test_enrolment_then_verification_at_every_sign_in(supervisor, suite_clock):
    browser = Client()
    sign_in(browser, "boss")
    response = browser.get("/events/")
    assert response.status_code == 302 and response.url.startswith("/security/2fa/enrol/")
    page = browser.get(response.url).content.decode()
    assert "/security/2fa/qr.svg" in page
    qr = browser.get("/security/2fa/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    wrong = browser.post("/security/2fa/enrol/", {"token": "000000", "next": "/events/"})
    assert "验证码不正确" in wrong.content.decode()
    suite_clock.shift(2)  # django-otp doubles the wait after each failure: 1 s after the first
    done = browser.post("/security/2fa/enrol/", {"token": code(device), "next": "/events/"})
    html = done.content.decode()
    assert "恢复码" in html and html.count("<li><code>") == twofactor.RECOVERY_CODES
    assert browser.get("/events/").status_code == 200

    later = Client()
    sign_in(later, "boss")
    response = later.get("/events/")
    assert response.url.startswith("/security/2fa/verify/")
    assert later.get("/api/v1/events/").json()["code"] == "second_factor_required"
    assert "验证码不正确" in later.post("/security/2fa/verify/", {"token": "123456"}).content.decode()
    suite_clock.shift(30)  # past the enrolment code's 30 s step: a code is accepted once only
    device.refresh_from_db()
    assert later.post("/security/2fa/verify/", {"token": code(device), "next": "/events/"}).url == "/events/"
    assert later.get("/events/").status_code == 200
    kinds = set(SecurityEvent.objects.values_list("kind", flat=True))
    assert {EventKind.OTP_ENROLLED, EventKind.OTP_VERIFIED, EventKind.OTP_FAILED} <= kinds


def test_a_recovery_code_works_once(supervisor):
    device = TOTPDevice.objects.create(user=supervisor, name="phone", confirmed=True)
    codes = twofactor.new_recovery_codes(supervisor)
    first = Client()
    sign_in(first, "boss")
    assert first.post("/security/2fa/verify/", {"token": codes[0], "next": "/"}).url == "/"
    second = Client()
    sign_in(second, "boss")
    assert second.post("/security/2fa/verify/", {"token": codes[0]}).status_code == 200  # used up
    assert device.user_id == supervisor.pk


def test_force_login_in_tests_is_verified_but_the_unverified_path_is_enforced(supervisor):
    browser = Client()
    browser.force_login_unverified(supervisor)
    assert browser.get("/events/").url.startswith("/security/2fa/enrol/")
    verified = Client()
    verified.force_login(supervisor)
    assert verified.get("/events/").status_code == 200


def test_a_sessions_second_factor_ends_at_its_next_request_when_the_device_goes(supervisor):
    """The device is checked with the user's own read at every request (security.backends):
    unconfirmed or deleted (a reset second factor), the session is no longer verified."""
    browser = Client()
    browser.force_login(supervisor)
    assert browser.get("/api/v1/events/").status_code == 200
    TOTPDevice.objects.filter(user=supervisor).update(confirmed=False)
    assert browser.get("/api/v1/events/").json()["code"] == "second_factor_required"
    TOTPDevice.objects.filter(user=supervisor).update(confirmed=True)
    assert browser.get("/api/v1/events/").json()["code"] == "second_factor_required"  # must verify again

    again = Client()
    again.force_login(supervisor)
    assert again.get("/api/v1/events/").status_code == 200
    TOTPDevice.objects.filter(user=supervisor).delete()
    assert again.get("/api/v1/events/").json()["code"] == "second_factor_required"


def test_another_users_device_in_the_session_is_no_second_factor(supervisor, plain_user):
    from django_otp import DEVICE_ID_SESSION_KEY

    browser = Client()
    browser.force_login_unverified(supervisor)
    theirs = TOTPDevice.objects.create(user=plain_user, name="phone", confirmed=True)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = theirs.persistent_id
    session.save()
    assert browser.get("/api/v1/events/").json()["code"] == "second_factor_required"
