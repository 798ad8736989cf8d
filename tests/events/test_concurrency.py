"""PostgreSQL: concurrent steps and sweeps (row locks, SKIP LOCKED, unique alerts)."""

import datetime
import threading
import time

import pytest
from django.db import connection, connections

from events import services as s
from events.choices import AlertStage
from events.exceptions import Conflict
from events.models import Alert, Event
from events.sweep import sweep_due

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_in_threads(*targets):
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def runner(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(targets)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)  # a bound for a hang, far above any loaded machine's time
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    return results


def test_two_concurrent_dispatches_exactly_one_succeeds(world):
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    copy_a, copy_b = Event.objects.get(pk=ev.pk), Event.objects.get(pk=ev.pk)
    results = run_in_threads(
        lambda: s.event_dispatch(actor=world.dispatcher, event=copy_a, lead_unit=world.unit),
        lambda: s.event_dispatch(actor=world.dispatcher, event=copy_b, lead_unit=world.unit2),
    )
    assert sorted(type(r).__name__ for r in results) == ["Event", "StaleVersion"]
    assert any(isinstance(r, Conflict) for r in results)
    ev.refresh_from_db()
    assert ev.cycle == 1 and ev.version == 3 and ev.dispatches.count() == 1


def test_two_concurrent_sweeps_fire_each_alert_once(world, clock):
    events = []
    for _ in range(30):
        ev = s.event_accept(actor=world.dispatcher, event=world.report())
        events.append(s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit))
    now = events[0].accept_due_at + datetime.timedelta(minutes=1)
    results = run_in_threads(lambda: sweep_due(now), lambda: sweep_due(now))
    assert not [r for r in results if isinstance(r, Exception)], results
    fired = sum(r.get(AlertStage.ACCEPT_OVERDUE, 0) for r in results)
    assert fired == 30
    assert Alert.objects.filter(stage=AlertStage.ACCEPT_OVERDUE).count() == 30
    assert Alert.objects.filter(stage=AlertStage.ACCEPT_WARNING).count() == 30
    assert sweep_due(now) == {}


def test_a_sweep_of_many_due_clocks_fires_each_once(world, capsys):
    """300 events due at once (bulk-cloned rows): one sweep fires every alert, a second
    none. Its duration is printed; the 10,000-clock timing lives in bench/run.py."""
    ev = s.event_accept(actor=world.dispatcher, event=world.report())
    ev = s.event_dispatch(actor=world.dispatcher, event=ev, lead_unit=world.unit)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO events_event (number, tracking_code, item_id, item_version_id, category, grade, status, source,
              level, area_id, township_id, county_id, title, description, attributes, address, datum, reporter_id,
              contact_name, contact_phone, external_ref, discovered_at, reported_at, dispatched_at, lead_unit_id,
              reject_reason, self_handled, accept_due_at, accept_warn_at, next_alert_at, cycle, alert_level,
              rework_count, return_count, extension_count, suspension_count, urge_count, version, created_at,
              updated_at)
            SELECT 'X' || lpad(g::text, 14, '0'), 'T' || lpad(g::text, 11, '0'), item_id, item_version_id, category,
              grade, status, source, level, area_id, township_id, county_id, title, description, attributes, address,
              datum, reporter_id, contact_name, contact_phone, external_ref, discovered_at, reported_at, dispatched_at,
              lead_unit_id, reject_reason, self_handled, accept_due_at, accept_warn_at, next_alert_at, 1, 'none',
              0, 0, 0, 0, 0, 1, created_at, updated_at
            FROM events_event, generate_series(1, 299) g WHERE id = %s
            """,
            [ev.pk],
        )
    now = ev.accept_due_at + datetime.timedelta(minutes=1)
    started = time.monotonic()
    counts = sweep_due(now)
    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(f"\nsweep of 300 due events: {elapsed:.2f} s, {counts}")
    assert counts[AlertStage.ACCEPT_OVERDUE] == 300
    assert Alert.objects.filter(stage=AlertStage.ACCEPT_OVERDUE).count() == 300
    assert sweep_due(now) == {}
