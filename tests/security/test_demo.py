"""Demo logins: with `seed_demo --demo` they keep the documented password and get printed
TOTP keys (`demo_totp`); without it they must change the password at first sign-in."""

import io

from django.core.management import call_command
from django.test import Client

from security import passwords
from security.demo import demo_devices, secure_logins

from .conftest import sign_in


def _logins(django_user_model):
    admin = django_user_model.objects.create_superuser("admin", password="pw-for-tests-1")
    worker = django_user_model.objects.create_user("gridworker", password="pw-for-tests-1")
    return admin, worker


def test_the_demo_flag_keeps_the_password_and_prints_a_working_code(django_user_model):
    _admin, worker = _logins(django_user_model)
    secure_logins(demo=True, stdout=io.StringIO())
    assert [d.user.username for d in demo_devices()] == ["admin"]  # the worker needs no second factor
    listing = io.StringIO()
    call_command("demo_totp", stdout=listing)
    assert listing.getvalue().startswith("admin") and " key " in listing.getvalue()
    now = io.StringIO()
    call_command("demo_totp", "admin", stdout=now)
    browser = Client()
    sign_in(browser, "admin")
    assert browser.post("/security/2fa/verify/", {"token": now.getvalue().strip(), "next": "/"}).url == "/"
    assert browser.get("/").status_code == 200
    assert not passwords.must_change(worker)


def test_without_the_flag_each_login_changes_its_password_first(django_user_model):
    _admin, worker = _logins(django_user_model)
    secure_logins(demo=False, stdout=io.StringIO())
    assert passwords.must_change(worker)
    browser = Client()
    sign_in(browser, "gridworker")
    assert browser.get("/").url.startswith("/security/password/")
