"""`Event.objects.restrict` for handling units and invited team members (issue #20).

The lean scope (the dispatches as a correlated EXISTS, the invitations' branch only for
users ever invited) must show exactly what the rule says: every event ever dispatched to
one of the user's units (led, co-handled or since re-dispatched elsewhere), every event
they were invited onto, and nothing else. Each test compares with the rule written out
from the tables (`_by_the_rule`), so an optimisation that changes who sees what fails here.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import services
from events.models import INVITED, Dispatch, Event, EventInvitation
from personnel import scope
from personnel.choices import PlatformRole
from personnel.models import Membership, Staff
from tests.scenario import make_team_member

pytestmark = pytest.mark.django_db


def _dispatched(world, lead, co_units=()):
    event = services.event_accept(actor=world.dispatcher, event=world.report())
    return services.event_dispatch(actor=world.dispatcher, event=event, lead_unit=lead, co_units=co_units)


@pytest.fixture
def events(world):
    """Events led by `world.unit`, co-handled by it, dispatched to it then re-dispatched
    to `unit2`, only ever `unit2`'s, and one never dispatched."""
    moved = _dispatched(world, world.unit)
    return SimpleNamespace(
        led=_dispatched(world, world.unit),
        co=_dispatched(world, world.unit2, co_units=[world.unit]),
        moved=services.event_dispatch(actor=world.dispatcher, event=moved, lead_unit=world.unit2),
        others=_dispatched(world, world.unit2),
        plain=world.report(),
    )


def _by_the_rule(user) -> set[int]:
    """What a user without area grants may see, from the tables: every event ever
    dispatched to one of their units, and every event they were invited onto."""
    units = Membership.objects.unit_ids(user, PlatformRole.HANDLER)
    dispatched = Dispatch.objects.filter(unit_id__in=units).values_list("event_id", flat=True)
    invited = EventInvitation.objects.filter(user=user).values_list("event_id", flat=True)
    return set(dispatched) | set(invited)


def _seen(user) -> set[int]:
    return set(Event.objects.restrict(user).values_list("pk", flat=True))


def _reads_invitations(user) -> bool:
    """Whether the user's scope reads the invitations (a scope that can match nothing has no SQL)."""
    try:
        sql = str(Event.objects.restrict(user).query)
    except EmptyResultSet:
        return False
    return EventInvitation._meta.db_table in sql


def test_a_unit_without_invitations_sees_every_event_ever_dispatched_to_it(world, events):
    assert events.moved.lead_unit == world.unit2
    assert _seen(world.handler) == {events.led.pk, events.co.pk, events.moved.pk} == _by_the_rule(world.handler)
    assert not _reads_invitations(world.handler)  # no invitation: no branch for them
    # The unit's task list: what it leads now.
    tasks = Event.objects.restrict(world.handler).filter(lead_unit=world.unit)
    assert list(tasks) == [events.led]
    assert _seen(world.handler2) == {events.co.pk, events.moved.pk, events.others.pk} == _by_the_rule(world.handler2)


def test_an_invited_member_sees_what_they_were_invited_onto_and_nothing_else(world, events):
    member = make_team_member(world.tree.village)
    user = member.staff.user
    assert _seen(user) == set() and not _reads_invitations(user)
    services.event_invite(actor=world.leader, event=events.plain, member=member, role="co_handler")
    assert _seen(user) == {events.plain.pk} == _by_the_rule(user)
    assert _reads_invitations(user)


def test_a_handler_also_invited_sees_both(world, events):
    member = make_team_member(world.tree.village)
    user = member.staff.user
    Membership.objects.create(
        user=user, organisation=world.unit, role=PlatformRole.HANDLER, start=datetime.date(2020, 1, 1)
    )
    assert _seen(user) == {events.led.pk, events.co.pk, events.moved.pk}
    services.event_invite(actor=world.leader, event=events.plain, member=member, role="adviser")
    assert _seen(user) == {events.led.pk, events.co.pk, events.moved.pk, events.plain.pk} == _by_the_rule(user)


def test_a_conduct_complaint_dispatched_to_a_unit_shows_to_it_not_to_the_grids_staff(world):
    complaint = world.report()
    Event.objects.filter(pk=complaint.pk).update(about_staff=Staff.objects.get(user=world.worker))
    Dispatch.objects.create(
        event=complaint, unit=world.unit, dispatched_by=world.dispatcher, dispatched_at=complaint.reported_at
    )
    assert Event.objects.restrict(world.handler).filter(pk=complaint.pk).exists()
    assert not Event.objects.restrict(world.worker).filter(pk=complaint.pk).exists()
    assert Event.objects.restrict(world.dispatcher).filter(pk=complaint.pk).exists()


def test_the_invitation_fact_comes_with_the_reach_in_its_one_query(world, events):
    member = make_team_member(world.tree.village)
    services.event_invite(actor=world.leader, event=events.plain, member=member, role="co_handler")
    for user, facts in ((member.staff.user, {INVITED}), (world.handler, set()), (world.dispatcher, set())):
        with scope.request_cache(), CaptureQueriesContext(connection) as queries:
            reach = scope.caller_reach(user)
            list(Event.objects.restrict(user))
        assert reach.facts == facts
        assert len(queries) == 2  # the reach with its facts, then the rows
