"""`manage.py demo_totp [USERNAME]`: the demo logins' second-factor keys and current codes.

Only for the authenticators `seed_demo --demo` made (never a real user's device): each
line gives the login, the base32 key to add to an authenticator app, and the code valid now."""

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from security.demo import demo_devices
from security.twofactor import base32_key


class Command(BaseCommand):
    help = "Print the demo logins' TOTP keys and current codes (seed_demo --demo only)."

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help="print only this login's current code")

    def handle(self, *args, username=None, **options):
        devices = demo_devices()
        if username:
            devices = devices.filter(user__username=username)
            if not devices:
                raise CommandError(f"{username} has no demo authenticator (seed_demo --demo)")
        for device in devices.order_by("user__username"):
            code = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
            if username:
                self.stdout.write(f"{code:06d}")
            else:
                self.stdout.write(f"{device.user.username:<14} key {base32_key(device)}  code now {code:06d}")
