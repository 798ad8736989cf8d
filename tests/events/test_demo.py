"""The demo seed builds events in every state through the services."""

import io
import random

import pytest

from events import demo
from events.choices import EventStatus
from events.models import Event, Satisfaction

pytestmark = pytest.mark.django_db


def test_seed_skips_without_demo_users_and_refuses_incomplete_ones(world):
    out = io.StringIO()
    demo.seed(scale="demo", rng=random.Random(1), stdout=out)
    assert "skipped" in out.getvalue() and not Event.objects.exists()
    world.worker.username = "gridworker"
    world.worker.save()
    with pytest.raises(demo.DemoDataMissing):
        demo.seed(scale="demo", rng=random.Random(1), stdout=out)


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
    # The alerts it fired are printed by their labels, not as enum reprs (AlertStage.COMPLETE_OVERDUE).
    printed = out.getvalue()
    assert "alerts fired: " in printed and "办结超期" in printed
    assert "AlertStage" not in printed and "complete_overdue" not in printed
    live = Event.objects.get(title__contains="演示")
    assert live.status == EventStatus.DISPATCHED and live.next_alert_at == live.accept_warn_at
    # Seeding again adds only a new live event.
    before = Event.objects.count()
    demo.seed(scale="demo", rng=random.Random(7), stdout=out)
    assert Event.objects.count() == before + 1
