"""The demo seed builds events in every state through the services."""

import io
import random

import pytest

from events import demo
from events.choices import EventStatus
from events.models import Event, Satisfaction

pytestmark = pytest.mark.django_db


def test_seed_needs_the_personnel_demo_users(db):
    with pytest.raises(demo.DemoDataMissing):
        demo.seed(scale="demo", rng=random.Random(1), stdout=io.StringIO())


def test_seed_makes_every_state_and_a_live_event(world):
    for user, name in [
        (world.worker, "gridworker"),
        (world.leader, "gridleader"),
        (world.dispatcher, "dispatcher"),
        (world.handler, "handler"),
        (world.supervisor, "supervisor"),
    ]:
        user.username = name
        user.save()
    out = io.StringIO()
    demo.seed(scale="demo", rng=random.Random(7), stdout=out)
    statuses = set(Event.objects.values_list("status", flat=True))
    assert {EventStatus.CLOSED, EventStatus.REPORTED, EventStatus.HANDLING, EventStatus.REJECTED} <= statuses
    assert Satisfaction.objects.exists()
    assert Event.objects.filter(alert_level="red").exists()  # some are overdue
    live = Event.objects.get(title__contains="演示")
    assert live.status == EventStatus.DISPATCHED and live.next_alert_at == live.accept_warn_at
    # Seeding again adds only a new live event.
    before = Event.objects.count()
    demo.seed(scale="demo", rng=random.Random(7), stdout=out)
    assert Event.objects.count() == before + 1
