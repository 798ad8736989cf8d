"""The sign-in backend: Django's `ModelBackend`, whose per-request read of the signed-in
user also brings the ids of the user's confirmed TOTP devices (issue #20).

Every request of a signed-in session reads its user (`AuthenticationMiddleware`) and then
the TOTP device that verified the session (django-otp's `OTPMiddleware`): two queries.
`UserBackend.get_user` reads the user with `confirmed_totp_ids` (a list of ints, PostgreSQL
only: an `ARRAY(…)` subquery in the same statement), and `security.middleware.OTPMiddleware`
decides from it whether the session's device still exists, belongs to the user and is
confirmed — the same check, at the same request, in one query. A device deleted or
unconfirmed (second factor reset) unverifies the session at its next request, as before.
On other databases the user is read as Django reads it (the middleware then reads the device).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.db.models.expressions import RawSQL
from django_otp.plugins.otp_totp.models import TOTPDevice

#: The attribute `get_user` sets on the user: ids (ints) of their confirmed TOTP devices.
CONFIRMED_TOTP_IDS = "confirmed_totp_ids"


def _confirmed_totp_ids() -> RawSQL:
    """`ARRAY(SELECT id FROM <totp devices> WHERE user_id = <user>.id AND confirmed)`."""
    quote = connection.ops.quote_name
    device, user = TOTPDevice._meta, get_user_model()._meta
    # Names from the models' meta, quoted; no value from a request.
    sql = (
        f"ARRAY(SELECT d.{quote(device.pk.column)} FROM {quote(device.db_table)} d"  # noqa: S608
        f" WHERE d.{quote(device.get_field('user').column)} = {quote(user.db_table)}.{quote(user.pk.column)}"
        f" AND d.{quote(device.get_field('confirmed').column)})"
    )
    return RawSQL(sql, (), output_field=ArrayField(models.BigIntegerField()))  # noqa: S611 - see above


class UserBackend(ModelBackend):
    """`ModelBackend` (sign-in, permissions unchanged); `get_user` as the module docstring says."""

    def get_user(self, user_id):
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        users = get_user_model()._default_manager.annotate(**{CONFIRMED_TOTP_IDS: _confirmed_totp_ids()})
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
