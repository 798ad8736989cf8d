"""Fixtures of the security tests: a plain user, a supervisor (needs the second factor),
signing in through the real login form, and the TOTP code a phone would show."""

import pytest
from django_otp.oath import TOTP

from personnel.choices import OrgKind, PlatformRole
from tests.factories import UserFactory
from tests.personnel.factories import member_user, org
from tests.scenario import make_tree

PASSWORD = "pw-for-tests-1"  # tests.factories.UserFactory


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def plain_user(db):
    """A user with no role that needs two factors."""
    return UserFactory(username="plain")


@pytest.fixture
def supervisor(tree):
    """A supervisor of the authority (reveals personal data: needs the second factor)."""
    return member_user(org(tree.county, kind=OrgKind.AUTHORITY), PlatformRole.SUPERVISOR, username="boss")


def sign_in(client, username: str, password: str = PASSWORD, **extra):
    """POST the login form as a browser does; returns the response (not followed)."""
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def code(device) -> str:
    """The 6-digit code the device's authenticator app shows now (suite clock)."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
