"""Factories for personnel tests: staff with valid fake personal data, and role holders."""

import datetime
import itertools

import factory

from personnel import services
from personnel.models import Membership, Organisation, Staff
from personnel.validators import id_check_digit
from tests.factories import UserFactory

_n = itertools.count(1)


def valid_id_number(seq: int = 0, birth: str = "19900101", district: str = "330203") -> str:
    first17 = f"{district}{birth}{seq % 1000:03d}"
    return first17 + id_check_digit(first17)


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    name = factory.Sequence(lambda n: f"人员{n}")
    mobile = factory.Sequence(lambda n: f"138{n:08d}")
    id_number = factory.Sequence(lambda n: valid_id_number(n))
    work_id = factory.Sequence(lambda n: f"T{n:08d}")
    work_phone = "0574-87000000"


def org(area, kind="township_office", name=None, department="") -> Organisation:
    return Organisation.objects.create(area=area, kind=kind, name=name or f"单位{next(_n)}", department=department)


LONG_AGO = datetime.date(2024, 1, 1)


def grid_user(area, role, *, username=None, start=LONG_AGO):
    """A user whose staff record holds grid `role` on `area` (grants synced)."""
    user = UserFactory(username=username) if username else UserFactory()
    staff = StaffFactory(user=user)
    if role == "micro_grid_leader":
        services.assignment_start(actor=None, staff=staff, area=area.parent, role="parttime_worker", start=start)
    services.assignment_start(actor=None, staff=staff, area=area, role=role, start=start)
    user.refresh_from_db()
    return user


def member_user(organisation, role, *, username=None, start=LONG_AGO) -> object:
    """A user holding platform `role` for `organisation` (grants synced)."""
    user = UserFactory(username=username) if username else UserFactory()
    services.membership_start(actor=None, user=user, organisation=organisation, role=role, start=start)
    return user


def memberships(user):
    return Membership.objects.filter(user=user)
