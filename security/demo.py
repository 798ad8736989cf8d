"""Demo logins and the security controls (`manage.py seed_demo [--demo]`; README, Demo logins).

With `--demo` (what `make run` uses) the demo logins keep the documented password and every
login that needs a second factor gets a TOTP authenticator with a fixed key derived from
its name (`security.twofactor.demo_key`), printed by `manage.py demo_totp` together with
the current code. Without it, each demo login must set its own password at first sign-in
and enrols its own authenticator, as a real account does.
"""

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from personnel.demo import LOGINS

from . import passwords, twofactor
from .models import AccountSecurity

DEVICE_NAME = "demo"


def secure_logins(*, demo: bool, stdout) -> None:
    """Apply the demo's choice to the seeded logins (idempotent)."""
    users = get_user_model().objects.filter(username__in=LOGINS)
    for user in users:
        if demo:
            passwords.require_change(user, False)
            if twofactor.requires_second_factor(user):
                TOTPDevice.objects.update_or_create(
                    user=user,
                    name=DEVICE_NAME,
                    defaults={"key": twofactor.demo_key(user.username), "confirmed": True},
                )
        elif not AccountSecurity.objects.filter(user=user, password_changed_at__isnull=False).exists():
            passwords.require_change(user)
    if demo:
        stdout.write("demo logins keep the documented password; second-factor keys: manage.py demo_totp")
    else:
        stdout.write("demo logins must change their password at first sign-in (seed with --demo to keep it)")


def demo_devices():
    """The demo authenticators, by username."""
    return TOTPDevice.objects.filter(name=DEVICE_NAME, user__username__in=LOGINS).select_related("user")
