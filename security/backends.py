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

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from ningbo_grid.rows import first_instance

#: The attribute `get_user` sets on the user: ids (ints) of their confirmed TOTP devices.
CONFIRMED_TOTP_IDS = "confirmed_totp_ids"


@functools.cache
def _user_sql() -> str:
    """`SELECT <every user column>, ARRAY(SELECT id FROM <totp devices> WHERE user_id =
    <user>.id AND confirmed) AS confirmed_totp_ids FROM <users> WHERE id = %s`, written once:
    through the ORM, compiling it cost more than PostgreSQL takes to run it (issue #20)."""
    quote = connection.ops.quote_name
    device, user = TOTPDevice._meta, get_user_model()._meta
    table = quote(user.db_table)
    columns = ", ".join(f"{table}.{quote(f.column)}" for f in user.concrete_fields)
    # Names from the models' meta, quoted; the only value (the id) is a parameter.
    return (
        f"SELECT {columns}, ARRAY(SELECT d.{quote(device.pk.column)} FROM {quote(device.db_table)} d"  # noqa: S608
        f" WHERE d.{quote(device.get_field('user').column)} = {table}.{quote(user.pk.column)}"
        f" AND d.{quote(device.get_field('confirmed').column)}) AS {CONFIRMED_TOTP_IDS}"
        f" FROM {table} WHERE {table}.{quote(user.pk.column)} = %s"
    )


class UserBackend(ModelBackend):
    """`ModelBackend` (sign-in, permissions unchanged); `get_user` as the module docstring says."""

    def get_user(self, user_id):
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = first_instance(get_user_model(), _user_sql(), [pk])
        return user if user is not None and self.user_can_authenticate(user) else None
