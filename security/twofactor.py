"""Who needs a second factor, and the TOTP devices and recovery codes that give it
(GB/T 22239-2019 8.1.4.1 d: two or more authentication techniques, one of them cryptographic).

A second factor (TOTP from a phone authenticator app, django-otp) is required for the
superuser and staff (the admin site), security auditors, and every role whose grants may
reveal or export personal data, supervise (the authorities) or manage the catalogue —
derived from `personnel.roles.ROLE_PERMISSIONS`, so a new role with such a grant needs it
too. API clients keep their keys (their requests carry no session).
"""

from base64 import b32encode

from django.db.models import Q
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from personnel import roles
from personnel.models import Assignment, Membership

#: Grants whose holders sign in with two factors.
SENSITIVE_PERMISSIONS = frozenset({roles.VIEW_PERSONAL_DATA, roles.SUPERVISE, roles.MANAGE_CATALOG})
#: The roles holding one of them (grid leader, dispatcher, supervisor, catalogue administrator today).
SENSITIVE_ROLES = frozenset(
    str(role) for role, perms in roles.ROLE_PERMISSIONS.items() if perms & SENSITIVE_PERMISSIONS
)
#: How many recovery codes an enrolment gives (each usable once).
RECOVERY_CODES = 10
AUDITOR_PERMISSION = "security.view_securityevent"


def requires_second_factor(user) -> bool:
    """True when `user` (signed in) must pass TOTP before using the platform: superuser,
    staff, a holder of a current role in `SENSITIVE_ROLES`, or a security auditor.
    Two indexed queries at most."""
    if user.is_superuser or user.is_staff:
        return True
    if Membership.objects.current().filter(user=user, role__in=SENSITIVE_ROLES).exists():
        return True
    if Assignment.objects.current().filter(Q(staff__user=user), role__in=SENSITIVE_ROLES).exists():
        return True
    return user.has_perm(AUDITOR_PERMISSION)


def confirmed_device(user) -> TOTPDevice | None:
    """The user's confirmed TOTP device, if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def pending_device(user) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (made with a fresh random key on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with `RECOVERY_CODES` fresh ones (8 base32
    characters each, single use) and return them: they are shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name="recovery").first()


def base32_key(device: TOTPDevice) -> str:
    """The device's key as authenticator apps take it (base32, no padding)."""
    return b32encode(device.bin_key).decode().rstrip("=")


def demo_key(username: str) -> str:
    """A fixed, documented TOTP key (hex) for a demo login seeded with `seed_demo --demo`;
    never used otherwise."""
    import hashlib

    return hashlib.sha256(f"ningbo-grid-demo-totp:{username}".encode()).hexdigest()[:40]
