"""PostgreSQL: 20 identical API dispatches of one event at the same instant, as a client
retrying in parallel would send them. With the version they act on, exactly one
dispatch cycle and one set of notifications; the others are 409 `stale_version`.
Without it, every one is 428 and nothing happens."""

import pytest
from django.core import mail

from events.choices import ActionKind, EventStatus
from events.messaging import Notification
from events.services import event_accept
from tests.events.test_concurrency import run_in_threads

from .conftest import api_as

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TWINS = 20


def _dispatch_twins(world, ev, body):
    clients = [api_as(world.dispatcher) for _ in range(TWINS)]  # sessions saved before the race
    url = f"/api/v1/events/{ev.number}/dispatch/"
    responses = run_in_threads(*[lambda c=c: c.post(url, body, format="json") for c in clients])
    assert not [r for r in responses if isinstance(r, Exception)], responses
    return sorted((r.status_code, r.json().get("code")) for r in responses)


def test_twenty_identical_dispatches_with_the_version_make_one_cycle(world):
    ev = event_accept(actor=world.dispatcher, event=world.report())
    mail.outbox.clear()
    outcomes = _dispatch_twins(world, ev, {"version": ev.version, "lead_unit": world.unit.pk, "text": "请处置"})
    assert outcomes == [(200, None)] + [(409, "stale_version")] * (TWINS - 1)
    ev.refresh_from_db()
    assert (ev.status, ev.cycle, ev.version) == (EventStatus.DISPATCHED, 1, 3)
    assert ev.dispatches.count() == 1
    assert ev.actions.filter(kind=ActionKind.DISPATCH).count() == 1
    sent = Notification.objects.filter(event=ev, kind=ActionKind.DISPATCH)
    assert sent.count() == len(set(sent.values_list("user_id", flat=True))) >= 1  # one per recipient


def test_twenty_identical_dispatches_without_the_version_are_all_428(world):
    ev = event_accept(actor=world.dispatcher, event=world.report())
    outcomes = _dispatch_twins(world, ev, {"lead_unit": world.unit.pk, "text": "请处置"})
    assert outcomes == [(428, "version_required")] * TWINS
    ev.refresh_from_db()
    assert (ev.status, ev.cycle, ev.dispatches.count()) == (EventStatus.ACCEPTED, 0, 0)
    assert not Notification.objects.filter(event=ev, kind=ActionKind.DISPATCH).exists()
