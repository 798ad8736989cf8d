"""The minute sweep: yellow, red, escalation, each alert exactly once."""

import datetime
import io

import pytest
from django.core import mail

from events import services as s
from events.choices import ActionKind, AlertLevel, AlertStage, HandlingLevel
from events.messaging import Notification, OutboxMessage
from events.models import Action, Alert, Event
from events.signals import event_overdue
from events.sweep import sweep_due
from events.tasks import outbox_deliver
from tests.events.conftest import TZ

pytestmark = pytest.mark.django_db


def at(y, m, d, h, mi=0):
    return datetime.datetime(y, m, d, h, mi, tzinfo=TZ)


def dispatched(world):
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    return s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)  # due 11:00, warn 10:30


def test_an_unsigned_event_turns_yellow_then_red_and_escalates(world, clock, django_capture_on_commit_callbacks):
    ev = dispatched(world)
    assert (ev.accept_warn_at, ev.accept_due_at) == (at(2025, 6, 9, 10, 30), at(2025, 6, 9, 11))
    clock.move_to(at(2025, 6, 9, 10, 29))
    assert sweep_due() == {}

    clock.move_to(at(2025, 6, 9, 10, 30))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_due() == {"events": 1, AlertStage.ACCEPT_WARNING: 1}
    ev.refresh_from_db()
    assert ev.alert_level == AlertLevel.YELLOW and ev.next_alert_at == at(2025, 6, 9, 11)
    warned = set(Notification.objects.filter(event=ev, kind=ActionKind.WARNING).values_list("user_id", flat=True))
    assert warned == {world.handler.pk, world.dispatcher.pk, world.supervisor.pk}
    # The digest e-mails are outbox rows of the sweep's transaction, sent by the outbox task.
    digests = OutboxMessage.objects.filter(key__startswith="alert:")
    assert sorted(digests.values_list("user_id", flat=True)) == sorted([world.handler.pk, world.dispatcher.pk])
    assert mail.outbox == []
    outbox_deliver()
    reminded = {m.to[0] for m in mail.outbox if "时限提醒" in m.subject}
    assert reminded == {"handler@example.org", "dispatcher@example.org"}  # the supervisor has no address

    received = []

    def listener(sender, event, stage, **kw):
        received.append((event.pk, stage))

    event_overdue.connect(listener)
    try:
        clock.move_to(at(2025, 6, 9, 11, 1))
        with django_capture_on_commit_callbacks(execute=True):
            counts = sweep_due()
    finally:
        event_overdue.disconnect(listener)
    assert counts == {"events": 1, AlertStage.ACCEPT_OVERDUE: 1, "escalated": 1}
    assert received == [(ev.pk, AlertStage.ACCEPT_OVERDUE)]
    ev.refresh_from_db()
    assert ev.alert_level == AlertLevel.RED and ev.next_alert_at is None
    assert ev.level == HandlingLevel.TOWNSHIP  # supervised by the district, still routed by the township
    assert list(Action.objects.filter(event=ev, actor__isnull=True).values_list("kind", flat=True)) == [
        ActionKind.WARNING,
        ActionKind.OVERDUE,
        ActionKind.AUTO_ESCALATE,
    ]
    escalation = Action.objects.get(event=ev, kind=ActionKind.AUTO_ESCALATE)
    assert (escalation.actor_name, escalation.data["to_level"]) == ("系统", HandlingLevel.COUNTY)
    # The township that dispatched it re-dispatches it; the district supervises (urges).
    s.event_urge(actor=world.supervisor, event=ev.pk, text="请立即签收")
    s.event_dispatch(actor=world.dispatcher, event=ev.pk, lead_unit=world.unit2)


def test_each_alert_fires_once_even_when_the_sweep_runs_twice(world, clock):
    ev = dispatched(world)
    clock.move_to(at(2025, 6, 9, 10, 45))
    first, second = sweep_due(), sweep_due()
    assert first[AlertStage.ACCEPT_WARNING] == 1 and second == {}
    # Even if the event row were rolled back to "not alerted", the unique alert row holds.
    Event.objects.filter(pk=ev.pk).update(alert_level=AlertLevel.NONE, next_alert_at=ev.accept_warn_at)
    assert AlertStage.ACCEPT_WARNING not in sweep_due()
    assert Alert.objects.filter(event=ev).count() == 1
    assert Action.objects.filter(event=ev, kind=ActionKind.WARNING).count() == 1


def test_a_late_sweep_fires_warning_and_overdue_together(world, clock):
    ev = dispatched(world)
    clock.move_to(at(2025, 6, 9, 15))
    counts = sweep_due()
    assert counts[AlertStage.ACCEPT_WARNING] == 1 and counts[AlertStage.ACCEPT_OVERDUE] == 1
    assert set(Alert.objects.filter(event=ev).values_list("stage", flat=True)) == {
        AlertStage.ACCEPT_WARNING,
        AlertStage.ACCEPT_OVERDUE,
    }


def test_signing_stops_the_accept_clock_and_starts_the_complete_clock(world, clock):
    ev = dispatched(world)
    clock.move_to(at(2025, 6, 9, 10, 40))
    sweep_due()
    ev = s.event_sign(actor=world.handler, event=ev.pk)
    assert ev.alert_level == AlertLevel.NONE and ev.next_alert_at == ev.complete_warn_at
    clock.move_to(ev.complete_due_at + datetime.timedelta(minutes=1))
    counts = sweep_due()
    assert counts[AlertStage.COMPLETE_OVERDUE] == 1
    assert not Alert.objects.filter(event=ev, stage=AlertStage.ACCEPT_OVERDUE).exists()


def test_rework_starts_a_fresh_cycle_that_alerts_again(world, clock):
    ev = s.event_sign(actor=world.handler, event=dispatched(world))
    clock.move_to(ev.complete_due_at + datetime.timedelta(minutes=1))
    sweep_due()
    ev = s.event_submit_result(actor=world.handler, event=ev.pk, text="done")
    ev = s.event_verify(actor=world.worker, event=ev, passed=False, text="未处理")
    clock.move_to(ev.complete_due_at + datetime.timedelta(minutes=1))
    assert sweep_due()[AlertStage.COMPLETE_OVERDUE] == 1
    assert Alert.objects.filter(event=ev, stage=AlertStage.COMPLETE_OVERDUE).count() == 2


def test_an_idle_sweep_is_one_query(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dispatched(world)
    with CaptureQueriesContext(connection) as ctx:
        assert sweep_due() == {}
    queries = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(queries) == 1 and "next_alert_at" in queries[0]


def test_the_command_and_the_task_run_the_sweep(world, clock):
    from django.core.management import call_command

    from events.tasks import sweep

    dispatched(world)
    clock.move_to(at(2025, 6, 9, 10, 31))
    counts = sweep()
    assert counts == {"accept_warning": 1, "events": 1}
    assert all(type(key) is str for key in counts)  # plain strings, not AlertStage members
    clock.move_to(at(2025, 6, 9, 11, 1))
    out = io.StringIO()
    call_command("sweep_deadlines", stdout=out)
    assert out.getvalue().strip() == "签收超期 1，自动提级 1，涉及事件 1"  # labels, not enum names or values
    call_command("sweep_deadlines", stdout=out)
    assert out.getvalue().strip().endswith("无到期提醒")


def test_emergency_events_sort_first_then_overdue(world, clock):
    from catalog.choices import Grade

    plain = dispatched(world)
    late = dispatched(world)
    Event.objects.filter(pk=late.pk).update(alert_level=AlertLevel.RED)
    urgent = world.report(grade=Grade.EMERGENCY)
    assert list(Event.objects.queue_order().values_list("pk", flat=True)) == [urgent.pk, late.pk, plain.pk]


def test_the_sweep_tells_listeners_the_same_organisations_as_one_event_at_a_time(
    world, clock, django_capture_on_commit_callbacks
):
    """The sweep reads the organisations concerned in bulk (events.selectors.concerned_organisations
    into the batch): the units of the current cycle and the authorities for state changes,
    the lead unit for overdue alerts — what integrations.receivers reads one event at a time."""
    from events.signals import event_changed
    from integrations import receivers

    ev = dispatched(world)
    one_by_one = receivers.event_organisation_ids(Event.objects.get(pk=ev.pk))
    assert world.unit.pk in one_by_one
    seen = []

    def listener(sender, event, action=None, stage=None, batch=None, **kw):
        ids = receivers.event_organisation_ids(event, batch) if action else receivers.overdue_organisation_ids(event)
        seen.append((action.kind if action else stage, ids, event.pk in batch["concerned"]))

    event_changed.connect(listener)
    event_overdue.connect(listener)
    try:
        clock.move_to(at(2025, 6, 9, 15))
        with django_capture_on_commit_callbacks(execute=True):
            sweep_due()
    finally:
        event_changed.disconnect(listener)
        event_overdue.disconnect(listener)
    assert sorted(seen) == sorted(
        [
            (AlertStage.ACCEPT_WARNING, {world.unit.pk}, True),
            (AlertStage.ACCEPT_OVERDUE, {world.unit.pk}, True),
            (ActionKind.WARNING, one_by_one, True),
            (ActionKind.OVERDUE, one_by_one, True),
            (ActionKind.AUTO_ESCALATE, one_by_one, True),
        ]
    )
