"""`Event.objects.restrict`: who sees which events."""

import datetime

import pytest
from django.utils import timezone

from catalog.choices import Category
from catalog.models import ServiceItem, ServiceItemVersion
from events.models import Dispatch, Event
from personnel.choices import OrgKind, PlatformRole
from personnel.models import Membership, Organisation
from tests.factories import UserFactory
from tests.scenario import grant, make_tree

pytestmark = pytest.mark.django_db


def _event(tree, area, number):
    item, _ = ServiceItem.objects.get_or_create(code="04-001")
    version, _ = ServiceItemVersion.objects.get_or_create(
        item=item,
        number=1,
        defaults={"name": "纠纷", "category": Category.DISPUTES_AND_HAZARDS, "department": "justice"},
    )
    now = timezone.now()
    return Event.objects.create(
        number=number,
        item=item,
        item_version=version,
        category=version.category,
        area=area,
        township=area.ancestor_at("township"),
        county=area.ancestor_at("county"),
        title="t",
        description="d",
        discovered_at=now,
        reported_at=now,
    )


def test_grid_staff_see_their_grid_and_handlers_see_what_is_dispatched_to_them():
    tree = make_tree()
    own = _event(tree, tree.micro_grid, "E1")
    sibling = _event(tree, tree.grid2, "E2")
    elsewhere = _event(tree, tree.other_grid, "E3")
    worker = UserFactory()
    grant(worker, tree.grid, "view_area")
    assert set(Event.objects.restrict(worker)) == {own}

    township_staff = UserFactory()
    grant(township_staff, tree.township, "view_area")
    assert set(Event.objects.restrict(township_staff)) == {own, sibling}

    unit = Organisation.objects.create(name="江北区司法局", kind=OrgKind.DEPARTMENT, area=tree.county2)
    handler = UserFactory()
    Membership.objects.create(
        user=handler, organisation=unit, role=PlatformRole.HANDLER, start=datetime.date(2020, 1, 1)
    )
    assert list(Event.objects.restrict(handler)) == []
    Dispatch.objects.create(event=elsewhere, unit=unit, dispatched_by=township_staff, dispatched_at=timezone.now())
    assert list(Event.objects.restrict(handler)) == [elsewhere]

    outsider = UserFactory()
    assert list(Event.objects.restrict(outsider)) == []
